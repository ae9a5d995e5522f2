import { Stack, Validations } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag's AwsSolutions-IAM5 finding for each of `resources` (wildcard ARNs such as
 * `${bucket.bucketArn}/bronze/*`) on one policy, and for nothing else.
 *
 * The finding id names the resource as cdk-nag renders it, and a resource built from another
 * stack's attribute renders differently in the tree as built (`<LakeBucketB1D32E10.Arn>/bronze/*`)
 * and at synth, once CDK has turned the reference into a stack output. So the ids are not written
 * down here: cdk-nag's own rule (`rules.iam.IAMNoWildcardPermissions`, the pack's IAM5) names them,
 * once for the tree as built, and again when synth validates the tree, which it does after
 * resolving the references and before it runs the rule packs.
 */
export function acknowledgeWildcardResources(
  policy: IConstruct,
  resources: readonly string[],
  reason: string,
): void {
  const acknowledged = new Set<string>();
  const acknowledgeAsRenderedNow = (): void => {
    for (const finding of wildcardResourceFindings(Stack.of(policy).resolve(resources))) {
      const id = `AwsSolutions-IAM5[${finding}]`;
      if (acknowledged.has(id)) continue;
      acknowledged.add(id);
      policy.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
    }
  };
  acknowledgeAsRenderedNow();
  policy.node.addValidation({
    validate: () => {
      acknowledgeAsRenderedNow();
      return [];
    },
  });
}

/**
 * The findings cdk-nag's wildcard rule reports for a policy allowing one action on exactly
 * `renderedResources` (already resolved, so free of tokens): one `Resource::<as rendered>` per
 * wildcard resource. The policy is built in a stack of its own, outside the app.
 */
function wildcardResourceFindings(renderedResources: unknown): string[] {
  const probe = new CfnPolicy(new Stack(), 'Probe', {
    policyName: 'Probe',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'probe:Probe', Resource: renderedResources }],
    },
  });
  const findings = rules.iam.IAMNoWildcardPermissions(probe);
  return Array.isArray(findings) ? findings : [];
}
