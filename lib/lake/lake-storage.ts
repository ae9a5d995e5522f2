import { Annotations, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, Grant, type IGrantable, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ARRIVALS_PREFIX, BRONZE_PREFIX, QUARANTINE_PREFIX } from '../../lambdas/shared/lake/lake-layout.js';
import { acknowledgeWildcardResources } from '../app/acknowledge-wildcard-resources.js';
import type { LakeStorageProps } from './lake-storage-props.js';

// The lake's layout is the runtime code's (lambdas/shared/lake): the bucket's lifecycle rules and
// grants follow the prefixes the consumer and loader write and read.
export { ARRIVALS_PREFIX, BRONZE_PREFIX, QUARANTINE_PREFIX };

/** The lake's lifecycle, in days, when the props do not say otherwise. */
export const LAKE_STORAGE_DEFAULTS = {
  bronzeInfrequentAccessAfterDays: 30,
  bronzeGlacierInstantRetrievalAfterDays: 90,
  quarantineExpirationDays: 30,
  noncurrentVersionExpirationDays: 30,
  accessLogExpirationDays: 90,
} as const satisfies Required<Omit<LakeStorageProps, 'destroyOnRemoval'>>;

// S3 refuses a move to Standard-IA before this day, and a later move that leaves an object in
// Standard-IA for fewer days than this.
const MINIMUM_DAYS_IN_INFREQUENT_ACCESS = 30;

/**
 * S3's rules for the moves of `bronze/` objects to cheaper storage: the first move it would refuse,
 * with what to use instead, or `undefined` when it accepts both.
 */
export function bronzeTransitionProblem(
  infrequentAccessAfterDays: number,
  glacierInstantRetrievalAfterDays: number,
): { readonly key: keyof LakeStorageProps; readonly value: number; readonly problem: string } | undefined {
  const minimum = MINIMUM_DAYS_IN_INFREQUENT_ACCESS;
  if (infrequentAccessAfterDays < minimum) {
    const problem = `S3 allows the move to Standard-IA from day ${minimum} on`;
    return { key: 'bronzeInfrequentAccessAfterDays', value: infrequentAccessAfterDays, problem };
  }
  const earliestGlacier = infrequentAccessAfterDays + minimum;
  if (glacierInstantRetrievalAfterDays < earliestGlacier) {
    const problem = `use at least ${earliestGlacier} (bronzeInfrequentAccessAfterDays + ${minimum}; S3 keeps an object in Standard-IA for ${minimum} days)`;
    return {
      key: 'bronzeGlacierInstantRetrievalAfterDays',
      value: glacierInstantRetrievalAfterDays,
      problem,
    };
  }
  return undefined;
}

/**
 * The prefixes whose objects are written once and never replaced: the consumer creates each with a
 * conditional write (`If-None-Match: *`), and the bucket policy refuses any other write there.
 */
export const WRITE_ONCE_PREFIXES = [BRONZE_PREFIX, QUARANTINE_PREFIX, ARRIVALS_PREFIX] as const;

/** Why reading every object under bronze/ is no wider than it must be, for cdk-nag. */
const BRONZE_READ_REASON =
  'Every lake file under bronze/ may be read: the consumer chooses their names as it writes them. Nothing outside bronze/ is readable.';

/**
 * The data lake: one bucket with `bronze/` (accepted events), `quarantine/` (rejected records) and
 * `arrivals/` (a record of each new lake file, for the loader), plus a bucket for its S3 server
 * access logs.
 *
 * Encryption is SSE-S3 (S3-managed keys), chosen over SSE-KMS on purpose: access is governed by
 * IAM and the bucket policy alone, the consumer writes many small objects (SSE-KMS would add a KMS
 * request per object unless bucket keys are on), and the Snowflake storage integration role would
 * otherwise also need decrypt rights on the key. Choose a customer-managed key here if key-level
 * separation or key-usage audit becomes a requirement. The access log bucket must use SSE-S3 in
 * any case: S3 server access logging cannot write to an SSE-KMS bucket.
 */
export class LakeStorage extends Construct {
  /** The lake bucket. */
  readonly bucket: IBucket;
  /** Where S3 writes the lake bucket's server access logs. */
  readonly accessLogBucket: IBucket;
  /** Key prefix of accepted events. */
  readonly bronzePrefix = BRONZE_PREFIX;
  /** Key prefix of quarantined records. */
  readonly quarantinePrefix = QUARANTINE_PREFIX;
  /** Key prefix of the arrival records of new lake files. */
  readonly arrivalsPrefix = ARRIVALS_PREFIX;

  constructor(scope: Construct, id: string, props: LakeStorageProps = {}) {
    super(scope, id);
    const defaults = LAKE_STORAGE_DEFAULTS;
    const bronzeInfrequentAccessAfterDays =
      props.bronzeInfrequentAccessAfterDays ?? defaults.bronzeInfrequentAccessAfterDays;
    const bronzeGlacierInstantRetrievalAfterDays =
      props.bronzeGlacierInstantRetrievalAfterDays ?? defaults.bronzeGlacierInstantRetrievalAfterDays;
    const quarantineExpirationDays = props.quarantineExpirationDays ?? defaults.quarantineExpirationDays;
    const noncurrentVersionExpirationDays =
      props.noncurrentVersionExpirationDays ?? defaults.noncurrentVersionExpirationDays;
    const accessLogExpirationDays = props.accessLogExpirationDays ?? defaults.accessLogExpirationDays;
    const refused = bronzeTransitionProblem(
      bronzeInfrequentAccessAfterDays,
      bronzeGlacierInstantRetrievalAfterDays,
    );
    if (refused !== undefined) {
      throw new Error(
        `LakeStorage ${this.node.path}: ${refused.key} is ${refused.value}; ${refused.problem}`,
      );
    }

    const destroyOnRemoval = props.destroyOnRemoval ?? false;
    const removalPolicy = destroyOnRemoval ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    if (destroyOnRemoval) {
      Annotations.of(this).addWarningV2(
        'spotify-pipeline:lake-destroyed-with-stack',
        'destroyOnRemoval is on: deleting this stack deletes the lake buckets and every object in them.',
      );
    }

    const accessLogBucket = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        {
          id: 'ExpireAccessLogs',
          expiration: Duration.days(accessLogExpirationDays),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      removalPolicy,
      autoDeleteObjects: destroyOnRemoval,
    });
    Validations.of(accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket is the target of the lake bucket server access logs; logging it too would need yet another bucket and so on without end.',
    });

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: accessLogBucket,
      serverAccessLogsPrefix: 'lake/',
      lifecycleRules: [
        {
          id: 'BronzeToCheaperStorage',
          prefix: BRONZE_PREFIX,
          transitions: [
            {
              storageClass: StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(bronzeInfrequentAccessAfterDays),
            },
            {
              storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(bronzeGlacierInstantRetrievalAfterDays),
            },
          ],
        },
        {
          id: 'ExpireQuarantine',
          prefix: QUARANTINE_PREFIX,
          expiration: Duration.days(quarantineExpirationDays),
        },
        {
          id: 'ExpireNoncurrentVersions',
          noncurrentVersionExpiration: Duration.days(noncurrentVersionExpirationDays),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        {
          // Once every version under a key has expired, its lone delete marker is clutter.
          id: 'RemoveExpiredDeleteMarkers',
          expiredObjectDeleteMarker: true,
        },
      ],
      removalPolicy,
      autoDeleteObjects: destroyOnRemoval,
    });
    this.accessLogBucket = accessLogBucket;
    // Write-once, for everyone: a write under these prefixes that does not say "only if no object
    // of this name exists" is refused, so no role, however wide its grants, replaces a lake file.
    // A multipart upload cannot carry the condition and is refused too; the consumer writes each
    // object in one request. Lifecycle transitions and expirations are not requests, and go on.
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'LakeFilesAreWrittenOnce',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: WRITE_ONCE_PREFIXES.map((prefix) => this.bucket.arnForObjects(`${prefix}*`)),
        conditions: { Null: { 's3:if-none-match': 'true' } },
      }),
    );
  }

  /**
   * Lets the grantee create objects under `prefix` (s3:PutObject, and nothing else: no tagging,
   * retention or legal hold, no aborting uploads, no delete).
   */
  grantCreateObjects(grantee: IGrantable, prefix: string): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject'],
      resourceArns: [this.bucket.arnForObjects(`${prefix}*`)],
    });
  }

  /** Lets the grantee list key names under each of `prefixes`, and under no other. */
  grantListUnder(grantee: IGrantable, ...prefixes: readonly string[]): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': prefixes.map((prefix) => `${prefix}*`) } },
    });
  }

  /** Lets the grantee write accepted events under `bronze/`, and nowhere else. */
  grantWriteBronze(grantee: IGrantable): Grant {
    return this.grantCreateObjects(grantee, BRONZE_PREFIX);
  }

  /** Lets the grantee write rejected records under `quarantine/`, and nowhere else. */
  grantWriteQuarantine(grantee: IGrantable): Grant {
    return this.grantCreateObjects(grantee, QUARANTINE_PREFIX);
  }

  /**
   * Lets the grantee write arrival manifests under `arrivals/`, and nowhere else: the consumer
   * announces each batch's objects there, after writing them, for the loader to find.
   */
  grantWriteArrivals(grantee: IGrantable): Grant {
    return this.grantCreateObjects(grantee, ARRIVALS_PREFIX);
  }

  /**
   * Lets the grantee list `bronze/` (key names only, no other prefix) and find the bucket's region:
   * the listing half of what Snowflake's storage integration needs (grantReadBronze).
   */
  grantListBronze(grantee: IGrantable): Grant {
    return this.grantListUnder(grantee, BRONZE_PREFIX).combine(
      Grant.addToPrincipal({
        grantee,
        actions: ['s3:GetBucketLocation'],
        resourceArns: [this.bucket.bucketArn],
      }),
    );
  }

  /**
   * Lets the grantee read the current objects under `bronze/`, and nothing else: what the loader
   * needs to read a file COPY refused (it finds files through arrivals/, and never lists bronze/).
   */
  grantReadBronzeObjects(grantee: IGrantable): Grant {
    return this.readObjectsUnder(
      grantee,
      'grantReadBronzeObjects',
      BRONZE_PREFIX,
      ['s3:GetObject'],
      BRONZE_READ_REASON,
    );
  }

  /**
   * Lets the grantee read the objects under `bronze/` (and their older versions), list that
   * prefix and find the bucket's region, and nothing else: what Snowflake documents for a storage
   * integration. aws-cdk-lib's read grant would also let it list every prefix.
   */
  grantReadBronze(grantee: IGrantable): Grant {
    return this.readObjectsUnder(
      grantee,
      'grantReadBronze',
      BRONZE_PREFIX,
      ['s3:GetObject', 's3:GetObjectVersion'],
      BRONZE_READ_REASON,
    ).combine(this.grantListBronze(grantee));
  }

  /**
   * Lets the grantee list `arrivals/` (no other prefix) and read the arrival records under it, and
   * nothing else: what the loader needs to find the lake files written since its last run.
   */
  grantReadArrivals(grantee: IGrantable): Grant {
    return this.readObjectsUnder(
      grantee,
      'grantReadArrivals',
      ARRIVALS_PREFIX,
      ['s3:GetObject'],
      'Every arrival record under arrivals/ may be read: they are named after the lake files they announce, which the consumer names as it writes them. Nothing else in the lake is readable through this statement.',
    ).combine(this.grantListUnder(grantee, ARRIVALS_PREFIX));
  }

  /**
   * `actions` on the objects under `prefix`, and nothing else. The `<prefix>*` resource is
   * acknowledged to cdk-nag on the grantee role's policy, with `reason`, and nothing else is.
   */
  private readObjectsUnder(
    grantee: IGrantable,
    grantName: string,
    prefix: string,
    actions: readonly string[],
    reason: string,
  ): Grant {
    const objects = `${this.bucket.bucketArn}/${prefix}*`;
    const grant = Grant.addToPrincipal({ grantee, actions: [...actions], resourceArns: [objects] });
    this.acknowledgeObjectsUnderPrefix(grantee, grantName, objects, reason);
    return grant;
  }

  /**
   * Acknowledges cdk-nag's wildcard finding for `objects` (one prefix's objects) on the grantee
   * role's own policy, where the grant put it, and nowhere else.
   */
  private acknowledgeObjectsUnderPrefix(
    grantee: IGrantable,
    grantName: string,
    objects: string,
    reason: string,
  ): void {
    const policy =
      grantee.grantPrincipal instanceof Role
        ? grantee.grantPrincipal.node.tryFindChild('DefaultPolicy')
        : undefined;
    if (policy === undefined)
      throw new Error(`LakeStorage ${this.node.path}: ${grantName} needs a grantee with an IAM role`);
    acknowledgeWildcardResources(policy, [objects], reason);
  }
}
