import { Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { BRONZE_PREFIX, LakeStorage, QUARANTINE_PREFIX } from '../../../lib/lake/lake-storage.js';
import type { LakeStorageProps } from '../../../lib/lake/lake-storage-props.js';
import { appWithProjectFlags } from '../../support/pipeline-app.js';

interface LakeUnderTest {
  readonly stack: Stack;
  readonly lake: LakeStorage;
}

function lakeUnderTest(props: LakeStorageProps = {}): LakeUnderTest {
  const stack = new Stack(appWithProjectFlags(), 'LakeUnderTest');
  const lake = new LakeStorage(stack, 'Lake', props);
  return { stack, lake };
}

/** The ARN pattern of the lake bucket's objects under `prefix`, as a template writes it. */
const objectsOfLakeBucket = (prefix: string) => ({
  'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^LakeBucket/), 'Arn'] }, `/${prefix}*`]],
});

/** Matches the lake bucket (the one that logs to the other) rather than the access log bucket. */
const LAKE_BUCKET = { LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'lake/' }) };

describe('LakeStorage', () => {
  describe('with default props', () => {
    const { stack } = lakeUnderTest();
    const template = Template.fromStack(stack);

    it('exposes the bronze/ and quarantine/ prefixes', () => {
      expect(BRONZE_PREFIX).toBe('bronze/');
      expect(QUARANTINE_PREFIX).toBe('quarantine/');
    });

    it('encrypts both buckets with S3-managed keys', () => {
      template.resourceCountIs('AWS::S3::Bucket', 2);
      template.allResourcesProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      });
    });

    it('blocks all public access and disables ACLs on both buckets', () => {
      template.allResourcesProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
    });

    it('refuses, for everyone, a write under bronze/, quarantine/ or arrivals/ that does not carry If-None-Match', () => {
      const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
      const denials = policies
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Sid?: string }[])
        .filter((statement) => statement.Sid === 'LakeFilesAreWrittenOnce');
      expect(denials).toEqual([
        {
          Sid: 'LakeFilesAreWrittenOnce',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 's3:PutObject',
          // In the order CDK writes them.
          Resource: ['arrivals/', 'bronze/', 'quarantine/'].map((prefix) => objectsOfLakeBucket(prefix)),
          Condition: { Null: { 's3:if-none-match': 'true' } },
        },
      ]);
    });

    it('versions both buckets', () => {
      template.allResourcesProperties('AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });
    });

    it('denies every request that is not over TLS, on both buckets', () => {
      template.resourceCountIs('AWS::S3::BucketPolicy', 2);
      template.allResourcesProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('logs lake access to the access log bucket', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        LoggingConfiguration: {
          DestinationBucketName: { Ref: Match.stringLikeRegexp('^LakeAccessLogs') },
          LogFilePrefix: 'lake/',
        },
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: Match.stringLikeRegexp('^LakeAccessLogs') },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Action: 's3:PutObject',
              Principal: { Service: 'logging.s3.amazonaws.com' },
            }),
          ]),
        },
      });
    });

    it('moves older bronze objects to Standard-IA, then Glacier Instant Retrieval', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        ...LAKE_BUCKET,
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            {
              Id: 'BronzeToCheaperStorage',
              Prefix: 'bronze/',
              Status: 'Enabled',
              Transitions: [
                { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
                { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
              ],
            },
          ]),
        },
      });
    });

    it('expires quarantined records, noncurrent versions and incomplete uploads', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        ...LAKE_BUCKET,
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            { Id: 'ExpireQuarantine', Prefix: 'quarantine/', Status: 'Enabled', ExpirationInDays: 30 },
            {
              Id: 'ExpireNoncurrentVersions',
              Status: 'Enabled',
              NoncurrentVersionExpiration: { NoncurrentDays: 30 },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
            },
            { Id: 'RemoveExpiredDeleteMarkers', Status: 'Enabled', ExpiredObjectDeleteMarker: true },
          ]),
        },
      });
    });

    it('expires access logs', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        LifecycleConfiguration: {
          Rules: [Match.objectLike({ Id: 'ExpireAccessLogs', ExpirationInDays: 90 })],
        },
      });
    });

    it('retains both buckets when the stack is deleted and has no auto-delete', () => {
      template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
      Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    });
  });

  it('takes lifecycle days from props', () => {
    // GIVEN / WHEN
    const { stack } = lakeUnderTest({
      bronzeInfrequentAccessAfterDays: 45,
      bronzeGlacierInstantRetrievalAfterDays: 180,
      quarantineExpirationDays: 7,
      noncurrentVersionExpirationDays: 3,
    });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      ...LAKE_BUCKET,
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Transitions: [
              { StorageClass: 'STANDARD_IA', TransitionInDays: 45 },
              { StorageClass: 'GLACIER_IR', TransitionInDays: 180 },
            ],
          }),
          Match.objectLike({ Prefix: 'quarantine/', ExpirationInDays: 7 }),
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 3 } }),
        ]),
      },
    });
  });

  it('deletes both buckets and their objects, with a warning, only when destroyOnRemoval is set', () => {
    // GIVEN / WHEN
    const { stack } = lakeUnderTest({ destroyOnRemoval: true });
    const template = Template.fromStack(stack);

    // THEN
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
    Annotations.fromStack(stack).hasWarning(
      '/LakeUnderTest/Lake',
      Match.stringLikeRegexp('deleting this stack deletes the lake buckets'),
    );
  });

  it.each([
    [
      { bronzeInfrequentAccessAfterDays: 29 },
      /bronzeInfrequentAccessAfterDays is 29; S3 allows the move to Standard-IA from day 30/,
    ],
    [
      { bronzeInfrequentAccessAfterDays: 60, bronzeGlacierInstantRetrievalAfterDays: 80 },
      /bronzeGlacierInstantRetrievalAfterDays is 80; use at least 90/,
    ],
  ])('rejects %j', (props, message) => {
    expect(() => lakeUnderTest(props)).toThrow(message);
  });

  describe('grants', () => {
    function grantStatements(grant: (lake: LakeStorage, role: Role) => void): unknown[] {
      const { stack, lake } = lakeUnderTest();
      const role = new Role(stack, 'Writer', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
      grant(lake, role);
      const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
      return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    }
    const objectsUnder = (prefix: string) => ({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeBucket'), 'Arn'] }, `/${prefix}*`]],
    });

    it.each([
      ['grantWriteBronze', 'bronze/', (lake: LakeStorage, role: Role) => lake.grantWriteBronze(role)],
      [
        'grantWriteQuarantine',
        'quarantine/',
        (lake: LakeStorage, role: Role) => lake.grantWriteQuarantine(role),
      ],
      ['grantWriteArrivals', 'arrivals/', (lake: LakeStorage, role: Role) => lake.grantWriteArrivals(role)],
    ] as const)('%s allows creating objects under %s only: no tagging, retention, legal hold, abort or delete', (_name, prefix, grant) => {
      const { stack, lake } = lakeUnderTest();
      const role = new Role(stack, 'Writer', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
      grant(lake, role);
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: objectsUnder(prefix) }],
        },
      });
    });

    it('grantListUnder allows listing key names under the prefixes given, and under no other', () => {
      const statements = grantStatements((lake, role) => lake.grantListUnder(role, 'bronze/', 'quarantine/'));
      expect(statements).toEqual([
        {
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^LakeBucket/), 'Arn'] },
          Condition: { StringLike: { 's3:prefix': ['bronze/*', 'quarantine/*'] } },
        },
      ]);
    });

    it('grantReadBronzeObjects allows reading current bronze/ objects only: no versions, no listing, nothing else', () => {
      const statements = grantStatements((lake, role) => lake.grantReadBronzeObjects(role)) as {
        Effect: string;
        Action: string;
        Resource: unknown;
        Condition?: unknown;
      }[];
      expect(statements).toHaveLength(1);
      expect(statements[0]).toMatchObject({ Effect: 'Allow', Action: 's3:GetObject' });
      expect(JSON.stringify(statements[0]!.Resource)).toMatch(/"\/bronze\/\*"/);
      expect(statements[0]!.Condition).toBeUndefined();
    });

    it('grantReadBronze allows reading bronze/ objects and their versions and listing bronze/ only, never writing', () => {
      const statements = grantStatements((lake, role) => lake.grantReadBronze(role));
      expect(statements).toEqual([
        expect.objectContaining({ Action: ['s3:GetObject', 's3:GetObjectVersion'] }),
        expect.objectContaining({
          Action: 's3:ListBucket',
          Condition: { StringLike: { 's3:prefix': ['bronze/*'] } },
        }),
        expect.objectContaining({ Action: 's3:GetBucketLocation' }),
      ]);
      expect(JSON.stringify(statements[0])).toContain('/bronze/*');
    });

    it('grantReadArrivals allows listing arrivals/ and reading the records under it only, never writing', () => {
      // GIVEN a role WHEN it is granted the arrivals
      const statements = grantStatements((lake, role) => lake.grantReadArrivals(role));

      // THEN it may read arrivals/ objects and list that prefix, and nothing more
      expect(statements).toEqual([
        expect.objectContaining({ Action: 's3:GetObject' }),
        expect.objectContaining({
          Action: 's3:ListBucket',
          Condition: { StringLike: { 's3:prefix': ['arrivals/*'] } },
        }),
      ]);
      expect(JSON.stringify(statements[0])).toContain('/arrivals/*');
      expect(JSON.stringify(statements)).not.toMatch(/bronze|quarantine|Put|Delete/);
    });

    it('grantReadArrivals acknowledges the arrivals/* wildcard on the grantee role policy, with a reason', () => {
      // GIVEN a role WHEN it is granted the arrivals
      const { stack, lake } = lakeUnderTest();
      const role = new Role(stack, 'Loader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
      lake.grantReadArrivals(role);

      // THEN the acknowledgement names exactly that resource, on the role's policy
      const acknowledged = role.node
        .findChild('DefaultPolicy')
        .node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
      expect(acknowledged).toEqual([
        [
          'AwsSolutions-IAM5[Resource::<LakeBucketB1D32E10.Arn>/arrivals/*]',
          expect.stringMatching(/arrival record/),
        ],
      ]);
    });

    it('grantListBronze allows listing bronze/ only, reading nothing', () => {
      const statements = grantStatements((lake, role) => lake.grantListBronze(role));
      expect(statements).toEqual([
        expect.objectContaining({
          Action: 's3:ListBucket',
          Condition: { StringLike: { 's3:prefix': ['bronze/*'] } },
        }),
        expect.objectContaining({ Action: 's3:GetBucketLocation' }),
      ]);
    });
  });

  it('has no cdk-nag acknowledgement on the lake bucket itself', () => {
    // The only acknowledgement (S1) belongs on the access log bucket: the lake bucket must pass every rule.
    const { lake } = lakeUnderTest();
    const lakeBucketMetadata = lake.node.findChild('Bucket').node.metadata.map((entry) => entry.type);
    expect(lakeBucketMetadata).not.toContain(Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
  });
});
