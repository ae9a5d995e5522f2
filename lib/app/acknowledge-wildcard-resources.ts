import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag's AwsSolutions-IAM5 finding for each of `resources` (wildcard ARNs such as
 * `${bucket.bucketArn}/bronze/*`) on one policy, and for nothing else.
 *
 * The finding id names the resource as cdk-nag renders it, and a resource built from another
 * stack's attribute renders differently before synth (`<LakeBucketB1D32E10.Arn>/bronze/*`) and
 * after it, when CDK has turned the reference into a stack output import. So the ids are worked
 * out when cdk-nag reads them, with cdk-nag's own flattening, instead of being written down here.
 */
export function acknowledgeWildcardResources(
  policy: IConstruct,
  resources: readonly string[],
  reason: string,
): void {
  const findingIds = (): string[] =>
    resources.map(
      (resource) => `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(policy).resolve(resource))}]`,
    );
  const acknowledgements = new Proxy<Record<string, string>>(
    {},
    {
      ownKeys: () => findingIds(),
      getOwnPropertyDescriptor: (_target, key) =>
        typeof key === 'string' && findingIds().includes(key)
          ? { value: reason, enumerable: true, configurable: true, writable: false }
          : undefined,
      get: (_target, key) => (typeof key === 'string' && findingIds().includes(key) ? reason : undefined),
      has: (_target, key) => typeof key === 'string' && findingIds().includes(key),
    },
  );
  policy.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, acknowledgements);
}
