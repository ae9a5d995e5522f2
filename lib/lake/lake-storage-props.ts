/** Properties of {@link LakeStorage}. */
export interface LakeStorageProps {
  /**
   * Days after which objects under `bronze/` move to S3 Standard-IA. S3 allows it from day 30.
   * @default 30
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
   */
  readonly bronzeInfrequentAccessAfterDays?: number;
  /**
   * Days after which objects under `bronze/` move to S3 Glacier Instant Retrieval: at least 30 days
   * after the move to Standard-IA. Glacier Instant Retrieval, not a colder class: a reload reads
   * bronze/ at once, with no restore to wait for.
   * @default 90
   */
  readonly bronzeGlacierInstantRetrievalAfterDays?: number;
  /**
   * Days after which objects under `quarantine/` are deleted: long enough to inspect and replay
   * them, short enough that bad records do not pile up.
   * @default 30
   */
  readonly quarantineExpirationDays?: number;
  /**
   * Days a replaced or deleted object version is kept (undo window for overwrites and deletes).
   * @default 30
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Days the S3 server access logs are kept.
   * @default 90
   */
  readonly accessLogExpirationDays?: number;
  /**
   * Delete both buckets and all their objects when the stack is deleted. Only for throw-away
   * environments: a warning is added to the construct when it is on.
   * @default false - the buckets are retained: deleting a stack must never delete data
   */
  readonly destroyOnRemoval?: boolean;
}
