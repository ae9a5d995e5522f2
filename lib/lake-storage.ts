import { RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Properties of {@link LakeStorage}. */
export interface LakeStorageProps {
  /**
   * Delete the bucket and its objects when the stack is deleted.
   * @default false - the lake is retained: deleting a stack must never delete data.
   */
  readonly destroyOnRemoval?: boolean;
}

/** The data lake bucket: `bronze/` holds accepted events, `quarantine/` the records the pipeline could not use. */
export class LakeStorage extends Construct {
  readonly bucket: IBucket;

  constructor(scope: Construct, id: string, props: LakeStorageProps = {}) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      removalPolicy: props.destroyOnRemoval ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      autoDeleteObjects: props.destroyOnRemoval ?? false,
    });
  }
}
