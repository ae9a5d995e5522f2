import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccountRootPrincipal,
  AnyPrincipal,
  ArnPrincipal,
  Effect,
  PolicyStatement,
  Role,
} from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { SnowflakeAccessProps } from './snowflake-access-props.js';

/** The JSON fields the loader and the SQL runner read from the secret (lambdas/shared/warehouse/snowflake-settings.ts). */
export const SNOWFLAKE_SECRET_FIELDS = [
  'account',
  'user',
  'private_key',
  'warehouse',
  'database',
  'role',
] as const;

/** Every way to assume a role: the lake-reader role refuses them all until Snowflake is configured. */
const ASSUME_ROLE_ACTIONS = [
  'sts:AssumeRole',
  'sts:AssumeRoleWithSAML',
  'sts:AssumeRoleWithWebIdentity',
] as const;

/**
 * The two things that join the pipeline to a team's Snowflake account, both kept with the stateful
 * resources because Snowflake holds on to them:
 *
 * - `credentials`: the secret the loader and the SQL runner log in with. It is created empty; a
 *   person stores `{account, user, private_key, warehouse, database, role}` in it (README).
 *   Snowflake checks a key pair, not a password, so rotation happens in Snowflake (ALTER USER ...
 *   SET RSA_PUBLIC_KEY_2) and then here, not by a rotation Lambda.
 * - `lakeReaderRole`: the role Snowflake's storage integration assumes to read `bronze/` for COPY
 *   INTO. Snowflake only says which IAM user and external id it uses after the integration exists,
 *   which needs this role's ARN (and not that the role be assumable): so the first deployment lets
 *   nobody assume it, and a second one with `loading.snowflakeStorageIntegration` set lets Snowflake
 *   in, and only Snowflake.
 */
export class SnowflakeAccess extends Construct {
  readonly credentials: Secret;
  readonly lakeReaderRole: Role;

  constructor(scope: Construct, id: string, props: SnowflakeAccessProps) {
    super(scope, id);
    this.credentials = new Secret(this, 'Credentials', {
      description: `Snowflake key-pair login of the Spotify pipeline's loader and SQL runner: JSON {${SNOWFLAKE_SECRET_FIELDS.join(', ')}} and optionally access_url`,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    Validations.of(this.credentials).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret holds a Snowflake key pair, which only Snowflake can rotate (ALTER USER ... SET RSA_PUBLIC_KEY_2, then update the secret); a Secrets Manager rotation function cannot change it.',
    });

    const integration = props.storageIntegration;
    if (integration === undefined) {
      // IAM wants a principal in a trust policy's Allow statement; the Deny below overrides it for
      // every caller, this account's own administrators included.
      this.lakeReaderRole = new Role(this, 'LakeReaderRole', {
        assumedBy: new AccountRootPrincipal(),
        description:
          "Read access to the lake's bronze/ for Snowflake's storage integration; nobody may assume it until loading.snowflakeStorageIntegration is configured",
      });
      this.lakeReaderRole.assumeRolePolicy?.addStatements(
        new PolicyStatement({
          sid: 'NobodyUntilTheStorageIntegrationIsConfigured',
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          actions: [...ASSUME_ROLE_ACTIONS],
        }),
      );
    } else {
      this.lakeReaderRole = new Role(this, 'LakeReaderRole', {
        assumedBy: new ArnPrincipal(integration.iamUserArn).withConditions({
          StringEquals: { 'sts:ExternalId': integration.externalId },
        }),
        description:
          "Read access to the lake's bronze/ for Snowflake's storage integration (its IAM user, with its external id)",
      });
    }
    props.lake.grantReadBronze(this.lakeReaderRole);
  }
}
