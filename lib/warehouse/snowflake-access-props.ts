import type { RemovalPolicy } from 'aws-cdk-lib';
import type { LakeStorage } from '../lake/lake-storage.js';

/**
 * What Snowflake's storage integration reports about itself (`DESC INTEGRATION`): the IAM user it
 * assumes the lake-reader role as, and the external id it sends. Known only once the integration
 * exists, so a first deployment goes without it (see the README's Snowflake steps).
 */
export interface SnowflakeStorageIntegration {
  /** STORAGE_AWS_IAM_USER_ARN, e.g. `arn:aws:iam::123456789012:user/abc0-s-xyz`. */
  readonly iamUserArn: string;
  /** STORAGE_AWS_EXTERNAL_ID. */
  readonly externalId: string;
}

/** Properties of {@link SnowflakeAccess}. */
export interface SnowflakeAccessProps {
  /** The lake whose `bronze/` objects Snowflake's stage reads. */
  readonly lake: LakeStorage;
  /**
   * The IAM user and external id of Snowflake's storage integration (from `DESC INTEGRATION`).
   * @default - nobody may assume the role until they are known
   */
  readonly storageIntegration?: SnowflakeStorageIntegration;
  /**
   * What happens to the credentials secret when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}
