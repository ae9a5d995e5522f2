import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, inject, it } from 'vitest';
import { snowflakeSettingsFromSecret } from '../../../../lambdas/shared/warehouse/snowflake-settings.js';
import { localS3Credentials } from '../../../../local/services/endpoints.js';
import { uniqueName } from '../../../support/local-clients.js';

// Secrets Manager is served by the same local moto server as S3.
const secrets = () =>
  new SecretsManagerClient({
    endpoint: inject('s3Endpoint'),
    region: 'us-east-1',
    credentials: localS3Credentials,
  });

async function aSecret(value: string): Promise<string> {
  const name = uniqueName('snowflake');
  await secrets().send(new CreateSecretCommand({ Name: name, SecretString: value }));
  return name;
}

describe('Snowflake settings from Secrets Manager', () => {
  it('GIVEN a complete secret WHEN read THEN every setting comes from it', async () => {
    const id = await aSecret(
      JSON.stringify({
        account: 'org-acct',
        user: 'LOADER',
        private_key: 'PEM',
        warehouse: 'WH',
        database: 'DB',
        role: 'ROLE',
      }),
    );
    expect(await snowflakeSettingsFromSecret(secrets(), id)).toEqual({
      account: 'org-acct',
      username: 'LOADER',
      privateKey: 'PEM',
      warehouse: 'WH',
      database: 'DB',
      role: 'ROLE',
    });
  });

  it.each([
    ['not JSON', 'user=LOADER', /is not JSON: store \{account, user, private_key/],
    [
      'missing fields',
      JSON.stringify({ account: 'a', user: 'u' }),
      /lacks private_key, warehouse, database, role/,
    ],
  ])('GIVEN a secret that is %s WHEN read THEN the error says what to fix', async (_, value, message) => {
    const id = await aSecret(value);
    await expect(snowflakeSettingsFromSecret(secrets(), id)).rejects.toThrow(message);
  });
});
