import type { RemovalPolicy } from 'aws-cdk-lib';
import type { SnowflakeStorageIntegrationConfig } from '../config/pipeline-config.js';
import type { LakeStorage } from '../lake/lake-storage.js';

/** Properties of {@link SnowflakeAccess}. */
export interface SnowflakeAccessProps {
  /** The lake whose `bronze/` objects Snowflake's stage reads. */
  readonly lake: LakeStorage;
  /**
   * The IAM user and external id of Snowflake's storage integration (from `DESC INTEGRATION`).
   * @default - the role trusts only this account until they are known; Snowflake cannot assume it yet
   */
  readonly storageIntegration?: SnowflakeStorageIntegrationConfig;
  /**
   * What happens to the credentials secret when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}
