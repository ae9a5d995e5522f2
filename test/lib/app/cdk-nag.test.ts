import { Stack, Validations } from 'aws-cdk-lib';
import { Peer, Port, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildPipelineFor } from '../../support/pipeline-app.js';

/** `rule at construct path` for each finding, so a failure lists exactly what is left. */
function unacknowledgedFindings(scope: ReturnType<typeof buildPipelineFor>['app']): string[] {
  const report = new AwsSolutionsChecks(scope).validateScope(scope);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map(
      (resource) => `${violation.severity ?? 'finding'} ${violation.ruleName} at ${resource.constructPath}`,
    ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it.each([
    ['dev', {}],
    ['prod', {}],
    ['dev', { destroyOnRemoval: 'true' }],
  ])('leaves no unacknowledged error or warning in %s %j', (environmentName, extraContext) => {
    // GIVEN the app as bin/app.ts builds it
    const { app } = buildPipelineFor(environmentName, extraContext);

    // WHEN the pack checks every resource
    const findings = unacknowledgedFindings(app);

    // THEN every finding was either fixed or acknowledged on its own resource
    expect(findings).toEqual([]);
  });

  it('is registered on the app, so an unacknowledged finding fails the synth', () => {
    // GIVEN the app plus a security group open to the internet
    const { app, stacks } = buildPipelineFor('dev');
    const openGroup = new SecurityGroup(stacks.network, 'OpenToTheWorld', {
      vpc: stacks.network.network.vpc,
    });
    openGroup.addIngressRule(Peer.anyIpv4(), Port.tcp(22));

    // WHEN / THEN the pack flags it, and synth (which runs the registered plugins) refuses
    expect(unacknowledgedFindings(app)).toEqual([
      expect.stringMatching(/AwsSolutions-EC23 at .*\/OpenToTheWorld\/Resource$/),
    ]);
    expect(() => app.synth()).toThrow(/AwsSolutions-EC23|Validation failed/);
  });

  it('acknowledges the access log bucket S1 finding on that bucket alone, with a reason', () => {
    // GIVEN
    const { stacks } = buildPipelineFor('dev');
    const lake = stacks.stateful.lake;

    // WHEN the acknowledgements are read back from the construct tree
    const acknowledgementsOn = (path: string): Record<string, string>[] =>
      Stack.of(lake)
        .node.findAll()
        .filter((construct) => construct.node.path === path)
        .flatMap((construct) => construct.node.metadata)
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .map((entry) => entry.data as Record<string, string>);

    // THEN
    const onAccessLogBucket = acknowledgementsOn(`${lake.node.path}/AccessLogs`).flatMap(Object.entries);
    expect(onAccessLogBucket).toEqual([
      [
        expect.stringMatching(/(^|::)AwsSolutions-S1$/),
        expect.stringMatching(/target of the lake bucket server access logs/),
      ],
    ]);
    expect(acknowledgementsOn(`${lake.node.path}/Bucket`)).toEqual([]);
    expect(acknowledgementsOn(stacks.stateful.node.path)).toEqual([]);
    expect(acknowledgementsOn(stacks.network.node.path)).toEqual([]);
  });
});
