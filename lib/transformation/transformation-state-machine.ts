import { type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import { EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import {
  DefinitionBody,
  type INextable,
  LogLevel,
  Parallel,
  Pass,
  QueryLanguage,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  loadTransformationManifest,
  planWaves,
  type TransformationManifest,
} from '../../lambdas/shared/transform/transformation-manifest.js';
import { WarehouseSqlFunction } from '../warehouse/warehouse-sql-function.js';

/** The handler's file, relative to the repository root. */
export const SQL_RUNNER_ENTRY = 'lambdas/sql-runner/handler.ts';

/** Errors of a step that the state machine retries: the warehouse could not be reached, nothing ran. */
const RETRIED_STEP_ERRORS = ['WarehouseConnectionError'];

/** Properties of {@link TransformationStateMachine}. */
export interface TransformationStateMachineProps {
  /** The Snowflake key-pair secret the SQL runner logs in with. */
  readonly credentials: ISecret;
  /** Told of every execution that fails, times out or is aborted. */
  readonly failureTopic: ITopic;
  /**
   * The plan to build.
   * @default - `sql/manifest.json`, loaded and validated
   */
  readonly manifest?: TransformationManifest;
  /** @default 512 */
  readonly stepMemorySize?: number;
  /** @default Duration.minutes(15) */
  readonly stepTimeout?: Duration;
  /** @default Duration.hours(2) */
  readonly runTimeout?: Duration;
  /**
   * Retries, with backoff, of a step whose warehouse connection failed.
   * @default 3
   */
  readonly connectionRetries?: number;
  readonly logRetention?: RetentionDays;
}

/**
 * The transformation plan of `sql/manifest.json` as a Step Functions state machine: the manifest's
 * waves in order, the models of a wave in parallel, each model one invocation of the SQL-runner
 * function (its statements in one transaction), then every data-quality test in parallel. The
 * local `spotify-pipeline transform` runs the same manifest with the same step code.
 *
 * A step is retried only when the warehouse could not be reached (and on Lambda's own service
 * errors): a model that failed in its SQL would fail again, and a failing data-quality test must
 * stop the run. Any failed, timed-out or aborted execution is published to `failureTopic` with its
 * cause. Starting a failed run again from the beginning is safe: which bronze rows are new is read
 * from the data, not from state the failed run left behind.
 *
 * Input: `{"fullRefresh": true}` rebuilds silver and gold from all of bronze; anything else (the
 * loader sends `{"fullRefresh": false, "load": {...}}`) runs incrementally.
 */
export class TransformationStateMachine extends Construct {
  readonly stateMachine: StateMachine;
  readonly sqlRunner: NodejsFunction;
  readonly logGroup: LogGroup;
  /** The rule that publishes failed executions to the failure topic. */
  readonly failureNotification: Rule;

  constructor(scope: Construct, id: string, props: TransformationStateMachineProps) {
    super(scope, id);
    const manifest = props.manifest ?? loadTransformationManifest();
    const connectionRetries = props.connectionRetries ?? 3;
    this.sqlRunner = new WarehouseSqlFunction(this, 'SqlRunner', {
      entry: SQL_RUNNER_ENTRY,
      description: 'Runs one model or data-quality test of sql/manifest.json on Snowflake',
      credentials: props.credentials,
      memorySize: props.stepMemorySize ?? 512,
      timeout: props.stepTimeout ?? Duration.minutes(15),
      logRetention: props.logRetention,
    }).function;

    const step = (stateName: string, payload: Record<string, unknown>, keepInput: boolean) => {
      const task = LambdaInvoke.jsonata(this, stateName, {
        lambdaFunction: this.sqlRunner,
        payload: TaskInput.fromObject(payload),
        // Inside a wave the branch's output is dropped; a lone step passes the run's options on.
        outputs: keepInput ? '{% $states.input %}' : '{% $states.result.Payload %}',
      });
      if (connectionRetries > 0) {
        task.addRetry({
          errors: RETRIED_STEP_ERRORS,
          interval: Duration.seconds(20),
          backoffRate: 2,
          maxAttempts: connectionRetries,
        });
      }
      return task;
    };
    const modelStep = (model: string, keepInput: boolean) =>
      step(
        `Run ${model}`,
        { kind: 'model', model, fullRefresh: '{% $states.input.fullRefresh %}' },
        keepInput,
      );
    const inParallel = (stateName: string, comment: string, branches: readonly LambdaInvoke[]) => {
      const parallel = Parallel.jsonata(this, stateName, { comment, outputs: '{% $states.input %}' });
      for (const branch of branches) parallel.branch(branch);
      return parallel;
    };

    // JSONata's = is false when a side is missing: only an explicit true asks for a full refresh.
    const start = Pass.jsonata(this, 'Read the run options', {
      outputs: { fullRefresh: '{% $states.input.fullRefresh = true %}' },
    });
    let tail: INextable = start;
    for (const [index, wave] of planWaves(manifest).entries()) {
      const names = wave.map((model) => model.name);
      const state =
        names.length === 1
          ? modelStep(names[0]!, true)
          : inParallel(
              `Wave ${index + 1}`,
              `Independent models: ${names.join(', ')}`,
              names.map((name) => modelStep(name, false)),
            );
      tail.next(state);
      tail = state;
    }
    const tests = inParallel(
      'Data-quality tests',
      'Every test of the manifest; a test with failing rows fails the run, naming itself with a sample of the rows.',
      manifest.tests.map((test) => step(`Test ${test.name}`, { kind: 'test', test: test.name }, false)),
    );
    tail.next(tests);
    tests.next(Succeed.jsonata(this, 'Transformed'));

    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: `The transformation plan of sql/manifest.json (${manifest.models.length} models, ${manifest.tests.length} data-quality tests)`,
      stateMachineType: StateMachineType.STANDARD,
      queryLanguage: QueryLanguage.JSONATA,
      definitionBody: DefinitionBody.fromChainable(start),
      timeout: props.runTimeout ?? Duration.hours(2),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: true },
    });

    this.failureNotification = new Rule(this, 'NotifyFailedRuns', {
      description: 'Publishes every failed, timed-out or aborted transformation run to the alarm topic',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
          stateMachineArn: [this.stateMachine.stateMachineArn],
        },
      },
      targets: [
        new SnsTopic(props.failureTopic, {
          message: RuleTargetInput.fromText(
            `Transformation run ${EventField.fromPath('$.detail.name')} ${EventField.fromPath('$.detail.status')}: ${EventField.fromPath('$.detail.error')}: ${EventField.fromPath('$.detail.cause')} (execution ${EventField.fromPath('$.detail.executionArn')})`,
          ),
        }),
      ],
    });
    this.acknowledgeFindings();
  }

  private acknowledgeFindings(): void {
    const policy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    if (policy === undefined) return;
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions documents Resource "*" for the log delivery actions (logs:CreateLogDelivery, ...) and for X-Ray (xray:PutTraceSegments, ...): neither API takes a resource ARN.',
    });
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.sqlRunner.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason:
        "The invoke grant covers the SQL runner's versions and aliases (its ARN with :*); it is this one function only.",
    });
  }
}
