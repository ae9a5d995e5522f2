import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { PIPELINE_LAMBDA_RUNTIME } from '../../../lib/app/pipeline-node-version.js';
import { PipelineRunStateMachine } from '../../../lib/orchestration/pipeline-run-state-machine.js';
import type { PipelineRunStateMachineProps } from '../../../lib/orchestration/pipeline-run-state-machine-props.js';
import { RunLease } from '../../../lib/orchestration/run-lease.js';
import { appWithProjectFlags } from '../../support/pipeline-app.js';

/** The construct with stand-in functions (no bundling), plus `overrides`. */
function pipelineRun(overrides: Partial<PipelineRunStateMachineProps> = {}) {
  const stack = new Stack(appWithProjectFlags(), 'Warehouse');
  const standIn = (id: string) =>
    new LambdaFunction(stack, id, {
      runtime: PIPELINE_LAMBDA_RUNTIME,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => ({})'),
    });
  const run = new PipelineRunStateMachine(stack, 'PipelineRun', {
    loader: standIn('Loader'),
    sqlRunner: standIn('SqlRunner'),
    lease: new RunLease(stack, 'RunLease'),
    failureTopic: new Topic(stack, 'Alarms'),
    ...overrides,
  });
  return { stack, run };
}

/** The synthesized definition, its CloudFormation references replaced by `REF`. */
function definitionOf(stack: Stack) {
  const [stateMachine] = Object.values(
    Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine'),
  );
  const parts = stateMachine!.Properties.DefinitionString['Fn::Join'][1] as unknown[];
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'REF')).join(''));
}

/** Every state of the synthesized definition, those inside Parallel branches too. */
function statesOf(stack: Stack): Record<string, Record<string, unknown>> {
  const definition = definitionOf(stack);
  const flatten = (graph: {
    States: Record<string, Record<string, unknown>>;
  }): [string, Record<string, unknown>][] =>
    Object.entries(graph.States).flatMap(([name, state]) => [
      [name, state],
      ...((state.Branches as (typeof graph)[] | undefined) ?? []).flatMap(flatten),
    ]);
  return Object.fromEntries(flatten(definition));
}

describe('PipelineRunStateMachine', () => {
  it('GIVEN maxLeaseWaits 10 and a 30-minute run timeout THEN a run waits at most 10 minutes for the lease, on top of its 30', () => {
    // GIVEN / WHEN
    const { stack } = pipelineRun({ maxLeaseWaits: 10, runTimeout: Duration.minutes(30) });

    // THEN
    const states = statesOf(stack);
    expect(states['Waited long enough?']).toMatchObject({
      Choices: [{ Variable: '$.waits', NumericGreaterThanEquals: 10 }],
    });
    expect(definitionOf(stack).TimeoutSeconds).toBe(40 * 60);
  });

  it('GIVEN connectionRetries 0 THEN a Lambda step is retried only on Lambda’s own service errors', () => {
    const { stack } = pipelineRun({ connectionRetries: 0 });
    const lambdaSteps = Object.values(statesOf(stack)).filter((state) =>
      String(state.Resource).endsWith(':lambda:invoke'),
    );
    expect(lambdaSteps.length).toBeGreaterThan(2);
    for (const step of lambdaSteps) {
      const retried = (step.Retry as { ErrorEquals: string[] }[]).flatMap((retrier) => retrier.ErrorEquals);
      expect(retried.every((error) => error.startsWith('Lambda.'))).toBe(true);
    }
  });

  it("GIVEN the defaults THEN the state machine's role may describe its own executions, through a policy of their own", () => {
    const { stack, run } = pipelineRun();
    const template = Template.fromStack(stack);
    const roleId = stack.getLogicalId(run.stateMachine.role.node.defaultChild as never);
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
    );
    const describing = policies.filter((policy) =>
      JSON.stringify(policy).includes('states:DescribeExecution'),
    );
    expect(describing).toHaveLength(1);
    expect(JSON.stringify(describing[0])).not.toContain('dynamodb:');
  });

  const every = (everyMinutes: number, minute = 0) => ({
    schedule: { everyMinutes, minute, fullChecksHourUtc: 3 },
  });
  it.each([
    [{ maxLeaseWaits: 60 }, /maxLeaseWaits is 60; use a whole number from 0 to 59/],
    [{ maxLeaseWaits: 2.5 }, /maxLeaseWaits is 2.5; use a whole number from 0 to 59/],
    [{ ...every(15), maxLeaseWaits: 15 }, /maxLeaseWaits is 15; use a whole number from 0 to 14/],
    [every(60, 60), /schedule.minute is 60; use a whole number from 0 to 59/],
    [every(15, 15), /schedule.minute is 15; use a whole number from 0 to 14/],
    [
      every(7),
      /schedule.everyMinutes is 7; use one of 5, 10, 15, 20, 30, 60 \(a divisor of the hour, at least 5\)/,
    ],
    [every(1), /schedule.everyMinutes is 1; use one of 5, 10/],
    [
      { schedule: { everyMinutes: 60, minute: 10, fullChecksHourUtc: 24 } },
      /schedule.fullChecksHourUtc is 24; use a whole number from 0 to 23/,
    ],
    [{ connectionRetries: -1 }, /connectionRetries is -1; use a whole number from 0 to 10/],
  ])('GIVEN %j THEN it refuses it, naming the construct and the range', (overrides, message) => {
    expect(() => pipelineRun(overrides)).toThrow(message);
    expect(() => pipelineRun(overrides)).toThrow(/PipelineRunStateMachine Warehouse\/PipelineRun: /);
  });

  it.each([
    [60, 10, 'cron(10 * * * ? *)', 55],
    [15, 5, 'cron(5/15 * * * ? *)', 10],
    [5, 0, 'cron(0/5 * * * ? *)', 0],
  ])('GIVEN a run every %i minutes from minute %i THEN the rule is %s and a run waits at most %i times for the lease', (everyMinutes, minute, cron, waits) => {
    const { stack } = pipelineRun({ schedule: { everyMinutes, minute, fullChecksHourUtc: 3 } });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: cron });
    const states = statesOf(stack);
    expect(states['Waited long enough?']).toMatchObject({
      Choices: [{ Variable: '$.waits', NumericGreaterThanEquals: waits }],
    });
    expect(JSON.stringify(states['Read the checks option'])).toContain(
      `"StringMatches":"*T03:${String(minute).padStart(2, '0')}:*"`,
    );
  });
});
