import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SnowflakeSettings } from './snowflake-warehouse.js';

/**
 * The Snowflake secret's JSON, as the README tells a team to store it:
 * {"account", "user", "private_key" (PEM), "warehouse", "database", "role"}, and optionally
 * "access_url" (a private-link address).
 */
const SECRET_FIELDS = ['account', 'user', 'private_key', 'warehouse', 'database', 'role'] as const;

/** Reads and checks the Snowflake settings from AWS Secrets Manager, naming any missing field. */
export async function snowflakeSettingsFromSecret(
  secrets: SecretsManagerClient,
  secretId: string,
): Promise<SnowflakeSettings> {
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(secret.SecretString ?? '') as Record<string, unknown>;
  } catch {
    throw new Error(
      `the Snowflake secret ${secretId} is not JSON: store {${SECRET_FIELDS.join(', ')}} as its value`,
    );
  }
  const missing = SECRET_FIELDS.filter((field) => typeof fields[field] !== 'string' || fields[field] === '');
  if (missing.length > 0)
    throw new Error(`the Snowflake secret ${secretId} lacks ${missing.join(', ')}: add them to its JSON`);
  return {
    account: fields.account as string,
    username: fields.user as string,
    privateKey: fields.private_key as string,
    warehouse: fields.warehouse as string,
    database: fields.database as string,
    role: fields.role as string,
    ...(typeof fields.access_url === 'string' && fields.access_url !== ''
      ? { accessUrl: fields.access_url }
      : {}),
  };
}
