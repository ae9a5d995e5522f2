import { Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { acknowledgeWildcardResources } from '../../../lib/app/acknowledge-wildcard-resources.js';
import { appWithProjectFlags } from '../../support/pipeline-app.js';

/** A role in one stack allowed to read two prefixes of a bucket in another; only bronze/* is acknowledged. */
function crossStackGrant() {
  const app = appWithProjectFlags();
  const bucket = new Bucket(new Stack(app, 'Lake'), 'Bucket');
  const role = new Role(new Stack(app, 'Reader'), 'Role', {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
  });
  role.addToPolicy(
    new PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [`${bucket.bucketArn}/bronze/*`, `${bucket.bucketArn}/quarantine/*`],
    }),
  );
  acknowledgeWildcardResources(
    role.node.findChild('DefaultPolicy'),
    [`${bucket.bucketArn}/bronze/*`],
    'bronze/ only',
  );
  return app;
}

/** The AwsSolutions-IAM5 findings cdk-nag reports, acknowledged ones left out. */
function unacknowledgedWildcardFindings(scope: IConstruct): string[] {
  return new AwsSolutionsChecks()
    .validateScope(scope)
    .violations.map((violation) => violation.ruleName)
    .filter((ruleName) => ruleName.startsWith('AwsSolutions-IAM5'));
}

describe('acknowledgeWildcardResources', () => {
  it('GIVEN a resource from another stack THEN the tree as built has its finding acknowledged, and no other', () => {
    // GIVEN / WHEN
    const app = crossStackGrant();

    // THEN
    expect(unacknowledgedWildcardFindings(app)).toEqual([
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<Bucket\w+\.Arn>\/quarantine\/\*\]$/),
    ]);
  });

  it('GIVEN synth has made the reference a stack output THEN its finding is still acknowledged, and no other', () => {
    // GIVEN
    const app = crossStackGrant();

    // WHEN synth resolves the cross-stack reference (and validates the tree)
    app.synth();

    // THEN the resource renders as the stack output, and that rendering is the one acknowledged
    expect(unacknowledgedWildcardFindings(app)).toEqual([
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::\{"Fn::GetStackOutput":.*\}\/quarantine\/\*\]$/),
    ]);
  });
});
