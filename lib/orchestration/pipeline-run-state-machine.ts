import { type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import { EventField, Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine, SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { Policy, type PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  Fail,
  type INextable,
  JsonPath,
  LogLevel,
  Parallel,
  Pass,
  QueryLanguage,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import {
  CallAwsService,
  type CallAwsServiceJsonPathProps,
  LambdaInvoke,
  SnsPublish,
} from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  loadTransformationManifest,
  planWaves,
} from '../../lambdas/shared/transform/transformation-manifest.js';
import { acknowledgeWildcardResources } from '../app/acknowledge-wildcard-resources.js';
import {
  CONNECTION_RETRIES_RANGE,
  DEFAULT_RUN_SCHEDULE,
  PIPELINE_RUN_DEFAULTS,
  type PipelineRunStateMachineProps,
  RUN_CADENCES_MINUTES,
  type RunSchedule,
} from './pipeline-run-state-machine-props.js';
import { CONDITION_FAILED } from './run-lease.js';

/** Two digits, as times are written. */
const pad = (value: number) => String(value).padStart(2, '0');

/** Errors of a step that the state machine retries: the warehouse could not be reached, nothing ran. */
export const RETRIED_STEP_ERRORS = ['WarehouseConnectionError'];
/** How long after such an error the step runs again (doubling at each further attempt). */
export const CONNECTION_RETRY_INTERVAL = Duration.seconds(20);
/** How long a run waits before it asks again whether the lease's holder has ended. */
export const LEASE_WAIT = Duration.seconds(60);
/**
 * The input the schedule starts each run with: `scheduledAt` is the schedule's time, by which the
 * first run of the full-checks hour checks all of history.
 */
export const SCHEDULED_RUN_INPUT = {
  fullRefresh: false,
  fullChecks: false,
  scheduledAt: EventField.time,
} as const;

/**
 * `describeExecution` of an execution of the state machine that runs this task, whose permission
 * the state machine grants itself. CallAwsService would add its IAM statement to the role's default
 * policy, on which the state machine resource depends: a statement there naming the state machine
 * (its executions) makes a dependency cycle. So this task adds none, and
 * {@link PipelineRunStateMachine} grants states:DescribeExecution on its own executions through a
 * separate policy, as aws-cdk-lib does for a Distributed Map's own executions.
 */
class DescribeOwnExecution extends CallAwsService {
  protected override readonly taskPolicies: PolicyStatement[] = [];

  constructor(
    scope: Construct,
    id: string,
    props: Omit<CallAwsServiceJsonPathProps, 'service' | 'action' | 'iamResources' | 'iamAction'>,
  ) {
    super(scope, id, { ...props, service: 'sfn', action: 'describeExecution', iamResources: [] });
  }
}

/**
 * The whole pipeline run, one Step Functions STANDARD execution per scheduled time: take the run
 * lease, load the lake's new files into Snowflake, ask the warehouse whether there is anything to
 * transform, build `sql/manifest.json` (its waves in order, the models of a wave in parallel, then
 * every data-quality test), announce the skip-rate anomalies the run found first, audit the
 * warehouse's layers (its `Unexplained` records are a metric with an alarm, not a failure), and
 * release the lease. An EventBridge rule starts it on `schedule`
 * with `{"fullRefresh": false, "fullChecks": false, "scheduledAt": <time>}`; started by hand with
 * `{"fullRefresh": true}` it rebuilds silver and gold from all of bronze, and with
 * `{"fullChecks": true}` its tests check all of history. Only an explicit `true` counts.
 *
 * The definition is written in JSONPath, not JSONata, on purpose: moto's Step Functions
 * interpreter, with which the tests execute this synthesized definition, evaluates JSONPath
 * natively, while its JSONata evaluation is a stub.
 *
 * One run at a time, through the lease (a DynamoDB item, see {@link RunLease}), and race-free:
 * - taking, taking over and releasing it are conditional writes, which DynamoDB applies atomically;
 * - the lease expires when its holder ends, nothing else: no clocks compared, no TTL arithmetic
 *   (which JSONPath could not do anyway). A run that finds the lease held asks Step Functions for
 *   the holder's status; a terminal status (SUCCEEDED, FAILED, TIMED_OUT, ABORTED) never goes back
 *   to RUNNING, so a holder seen ended stays ended;
 * - taking over is a compare-and-swap on the exact stale holder just read: of two runs taking over
 *   the same lease, one wins and the other goes back to taking the lease, and finds it held.
 * A run that finds the holder still running waits a minute and asks again, up to `maxLeaseWaits`
 * times, then ends successfully as skipped: no file is lost, the next scheduled run loads it.
 *
 * A step is retried only when the warehouse could not be reached (and on Lambda's own service
 * errors): a model that failed in its SQL would fail again, and a failing data-quality test must
 * stop the run. Every step is safe to run again after it committed: the loader's ledger loads a
 * file once, and the SQL runner records each step under the batch id (the execution's name) in
 * the same transaction as its rows, so a new execution after a failure picks up where the failed
 * one stopped. (Redriving a failed execution would not: its failure is caught, the lease released,
 * and it ends in its Fail state, which is all a redrive would run again.) A failed run releases
 * the lease and then fails with its step's own error and cause; any failed, timed-out or aborted
 * execution is published to `failureTopic`.
 */
export class PipelineRunStateMachine extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;
  /** The hourly rule that starts a run. */
  readonly schedule: Rule;
  /** The rule that publishes failed executions to the failure topic. */
  readonly failureNotification: Rule;

  constructor(scope: Construct, id: string, props: PipelineRunStateMachineProps) {
    super(scope, id);
    const schedule = props.schedule ?? DEFAULT_RUN_SCHEDULE;
    const connectionRetries = props.connectionRetries ?? PIPELINE_RUN_DEFAULTS.connectionRetries;
    const maxLeaseWaits = props.maxLeaseWaits ?? schedule.everyMinutes - 5;
    const runTimeout = props.runTimeout ?? PIPELINE_RUN_DEFAULTS.runTimeout;
    this.validate(schedule, { connectionRetries, maxLeaseWaits });
    const manifest = props.manifest ?? loadTransformationManifest();
    const { lease } = props;
    const batchId = JsonPath.stringAt('$$.Execution.Name');

    const invoke = (stateName: string, lambdaFunction: IFunction, payload: Record<string, unknown>) => {
      // resultPath DISCARD: a step passes its input on, so every step sees the run's options.
      const task = LambdaInvoke.jsonPath(this, stateName, {
        lambdaFunction,
        payload: TaskInput.fromObject(payload),
        resultPath: JsonPath.DISCARD,
      });
      return this.retryConnectionFailures(task, connectionRetries);
    };
    // JsonPath.stringAt only renders `"fullRefresh.$": "$.fullRefresh"`: the value stays a boolean.
    const modelStep = (model: string) =>
      invoke(`Run ${model}`, props.sqlRunner, {
        kind: 'model',
        model,
        fullRefresh: JsonPath.stringAt('$.fullRefresh'),
        batchId,
      });
    const inParallel = (stateName: string, comment: string, branches: readonly LambdaInvoke[]) => {
      const parallel = Parallel.jsonPath(this, stateName, { comment, resultPath: JsonPath.DISCARD });
      for (const branch of branches) parallel.branch(branch);
      return parallel;
    };

    // --- Read the options: {fullRefresh: bool, fullChecks: bool, waits: 0}, whatever else the input held.
    const explicitlyTrue = (path: string) =>
      Condition.and(
        Condition.isPresent(path),
        Condition.isBoolean(path),
        Condition.booleanEquals(path, true),
      );
    const readOptions = Choice.jsonPath(this, 'Read the run options', {
      comment: 'Only an explicit "fullRefresh": true rebuilds silver and gold from all of bronze.',
    });
    const fullRefresh = Pass.jsonPath(this, 'Full refresh', {
      parameters: { fullRefresh: true, 'input.$': '$' },
    });
    const incremental = Pass.jsonPath(this, 'Incremental run', {
      parameters: { fullRefresh: false, 'input.$': '$' },
    });
    readOptions.when(explicitlyTrue('$.fullRefresh'), fullRefresh).otherwise(incremental);
    const readChecks = Choice.jsonPath(this, 'Read the checks option', {
      comment:
        'An explicit "fullChecks": true, or the first scheduled run of the full-checks hour, runs every data-quality test over all of history; otherwise they check what this run added.',
    });
    const fullChecks = Pass.jsonPath(this, 'Full-history checks', {
      parameters: { 'fullRefresh.$': '$.fullRefresh', fullChecks: true, waits: 0 },
    });
    const batchChecks = Pass.jsonPath(this, "Checks of the run's batch", {
      parameters: { 'fullRefresh.$': '$.fullRefresh', fullChecks: false, waits: 0 },
    });
    fullRefresh.next(readChecks);
    incremental.next(readChecks);
    // EventBridge's time of the first run of the full-checks hour, e.g. 2026-11-30T03:10:00Z.
    const fullChecksTime = `*T${pad(schedule.fullChecksHourUtc)}:${pad(schedule.minute)}:*`;
    readChecks
      .when(
        Condition.or(
          explicitlyTrue('$.input.fullChecks'),
          Condition.and(
            Condition.isPresent('$.input.scheduledAt'),
            Condition.isString('$.input.scheduledAt'),
            Condition.stringMatches('$.input.scheduledAt', fullChecksTime),
          ),
        ),
        fullChecks,
      )
      .otherwise(batchChecks);

    // --- Take the run lease, or wait for its holder to end, or take it over from an ended one.
    const takeLease = lease.take(this, 'Take the run lease');
    const readLease = lease.read(this, 'Read the lease', '$.lease');
    const isLeaseHeld = Choice.jsonPath(this, 'Is the lease still held?');
    const lookUpHolder = new DescribeOwnExecution(this, 'Look up the lease holder', {
      comment: 'The holder is an execution of this state machine; it holds the lease until it ends.',
      parameters: { ExecutionArn: JsonPath.stringAt('$.lease.Item.holder.S') },
      resultSelector: { status: JsonPath.stringAt('$.Status') },
      resultPath: '$.holder',
    });
    const isHolderRunning = Choice.jsonPath(this, 'Is the holder still running?');
    const waitedLongEnough = Choice.jsonPath(this, 'Waited long enough?');
    const skipped = Succeed.jsonPath(this, 'Skipped: another run holds the lease', {
      comment:
        'Not a failure: the files this run would have loaded stay in the lake, and the next scheduled run loads them.',
    });
    const waitForHolder = Wait.jsonPath(this, 'Wait for the holder to end', {
      time: WaitTime.duration(LEASE_WAIT),
    });
    const countWait = Pass.jsonPath(this, 'Count the wait', {
      parameters: {
        fullRefresh: JsonPath.stringAt('$.fullRefresh'),
        fullChecks: JsonPath.stringAt('$.fullChecks'),
        waits: JsonPath.mathAdd(JsonPath.numberAt('$.waits'), 1),
      },
    });
    const takeOverLease = lease.takeOver(this, 'Take over from the ended holder', '$.lease.Item.holder.S');

    fullChecks.next(takeLease);
    batchChecks.next(takeLease);
    takeLease.addCatch(readLease, { errors: [CONDITION_FAILED], resultPath: JsonPath.DISCARD });
    readLease.next(isLeaseHeld);
    // Released between the failed take and the read: try to take it again.
    isLeaseHeld.when(Condition.isNotPresent('$.lease.Item.holder.S'), takeLease).otherwise(lookUpHolder);
    // An execution Step Functions no longer knows (its history expired) has certainly ended.
    lookUpHolder.addCatch(takeOverLease, {
      errors: ['Sfn.ExecutionDoesNotExistException'],
      resultPath: JsonPath.DISCARD,
    });
    lookUpHolder.next(isHolderRunning);
    isHolderRunning
      .when(Condition.stringEquals('$.holder.status', 'RUNNING'), waitedLongEnough)
      .otherwise(takeOverLease);
    waitedLongEnough
      .when(Condition.numberGreaterThanEquals('$.waits', maxLeaseWaits), skipped)
      .otherwise(waitForHolder);
    waitForHolder.next(countWait);
    countWait.next(takeLease);
    // Someone else took it over first: start again, and find them holding it.
    takeOverLease.addCatch(takeLease, { errors: [CONDITION_FAILED], resultPath: JsonPath.DISCARD });

    // --- The work, in one Parallel with one branch, so that one Catch covers every step of it.
    const load = this.retryConnectionFailures(
      LambdaInvoke.jsonPath(this, 'Load new lake files', {
        lambdaFunction: props.loader,
        payload: TaskInput.fromObject({ runId: batchId }),
        resultSelector: {
          filesLoaded: JsonPath.numberAt('$.Payload.filesLoaded'),
          rowsInserted: JsonPath.numberAt('$.Payload.rowsInserted'),
          linesRejected: JsonPath.numberAt('$.Payload.linesRejected'),
          filesLeftForNextRun: JsonPath.numberAt('$.Payload.filesLeftForNextRun'),
        },
        resultPath: '$.load',
      }),
      connectionRetries,
    );
    const checkForWork = this.retryConnectionFailures(
      LambdaInvoke.jsonPath(this, 'Check for work', {
        comment: 'Loads not yet claimed by a transformation, and days still to rebuild, in the warehouse.',
        lambdaFunction: props.sqlRunner,
        payload: TaskInput.fromObject({ kind: 'pending-work', batchId }),
        resultSelector: {
          hasWork: JsonPath.stringAt('$.Payload.hasWork'),
          unclaimedLoads: JsonPath.numberAt('$.Payload.unclaimedLoads'),
          pendingDays: JsonPath.numberAt('$.Payload.pendingDays'),
          unfoldedBatches: JsonPath.numberAt('$.Payload.unfoldedBatches'),
        },
        resultPath: '$.work',
      }),
      connectionRetries,
    );
    const anythingToTransform = Choice.jsonPath(this, 'Anything to transform?');
    const nothingToTransform = Pass.jsonPath(this, 'Nothing new to transform', {
      comment: 'No model runs; the audit still does (see "Audit the layers").',
    });

    const waves = planWaves(manifest).map((wave, index) => {
      const names = wave.map((model) => model.name);
      return names.length === 1
        ? modelStep(names[0]!)
        : inParallel(
            `Wave ${index + 1}`,
            `Independent models: ${names.join(', ')}`,
            names.map((name) => modelStep(name)),
          );
    });
    const tests = inParallel(
      'Data-quality tests',
      'Every test of the manifest; a test with failing rows fails the run, naming itself with a sample of the rows.',
      manifest.tests.map((test) =>
        invoke(`Test ${test.name}`, props.sqlRunner, {
          kind: 'test',
          test: test.name,
          batchId,
          fullChecks: JsonPath.stringAt('$.fullChecks'),
        }),
      ),
    );
    // --- After the checks: announce the skip-rate anomalies this run found first (none on a full refresh).
    const findNewAnomalies = this.retryConnectionFailures(
      LambdaInvoke.jsonPath(this, 'Find new anomalies', {
        comment: 'The rows of gold.skip_rate_anomalies this run found first, as an announcement.',
        lambdaFunction: props.sqlRunner,
        payload: TaskInput.fromObject({
          kind: 'new-anomalies',
          batchId,
          fullRefresh: JsonPath.stringAt('$.fullRefresh'),
        }),
        resultSelector: {
          count: JsonPath.numberAt('$.Payload.count'),
          message: JsonPath.stringAt('$.Payload.message'),
        },
        resultPath: '$.anomalies',
      }),
      connectionRetries,
    );
    const anyNewAnomalies = Choice.jsonPath(this, 'Any new anomalies?');
    const announceAnomalies = SnsPublish.jsonPath(this, 'Announce new anomalies', {
      topic: props.failureTopic,
      subject: 'Skip-rate anomalies found',
      message: TaskInput.fromJsonPathAt('$.anomalies.message'),
      resultPath: JsonPath.DISCARD,
    });
    const noNewAnomalies = Pass.jsonPath(this, 'No new anomalies');
    findNewAnomalies.next(anyNewAnomalies);
    anyNewAnomalies
      .when(Condition.numberGreaterThan('$.anomalies.count', 0), announceAnomalies)
      .otherwise(noNewAnomalies);

    // --- Last, audit the warehouse's layers: its Unexplained records are a metric with an alarm.
    // After the announcement, so that an audit that cannot reach the warehouse (and so fails the
    // run once its retries are spent) never costs the run its announcement, which no later run
    // would make; and after the tests, so that it audits a transformation that finished, gold
    // included. Unexplained records do not fail the run: its work has committed, and the alarm
    // says what is wrong. A run with nothing new audits too: the audit reads the whole warehouse,
    // where a record can go missing with no new data, and an hour without the metric would read
    // to the alarm as nothing unexplained (missing data does not breach).
    const auditTheLayers = this.retryConnectionFailures(
      LambdaInvoke.jsonPath(this, 'Audit the layers', {
        comment:
          "The warehouse's records counted layer by layer, and every record they do not explain; publishes Unexplained.",
        lambdaFunction: props.sqlRunner,
        payload: TaskInput.fromObject({ kind: 'audit', batchId }),
        resultSelector: {
          unexplained: JsonPath.numberAt('$.Payload.unexplained'),
          findings: JsonPath.listAt('$.Payload.findings'),
          findingsLeftOut: JsonPath.numberAt('$.Payload.findingsLeftOut'),
          notes: JsonPath.listAt('$.Payload.notes'),
          layers: JsonPath.objectAt('$.Payload.layers'),
        },
        resultPath: '$.audit',
      }),
      connectionRetries,
    );
    announceAnomalies.next(auditTheLayers);
    noNewAnomalies.next(auditTheLayers);
    nothingToTransform.next(auditTheLayers);

    const [firstWave, ...laterWaves] = waves;
    if (firstWave === undefined)
      throw new Error(`PipelineRunStateMachine ${this.node.path}: the manifest has no model to run`);
    let tail: INextable = firstWave;
    for (const wave of laterWaves) {
      tail.next(wave);
      tail = wave;
    }
    tail.next(tests);
    tests.next(findNewAnomalies);

    load.next(checkForWork);
    checkForWork.next(anythingToTransform);
    anythingToTransform
      .when(
        Condition.or(
          Condition.booleanEquals('$.fullRefresh', true),
          Condition.booleanEquals('$.fullChecks', true),
          Condition.booleanEquals('$.work.hasWork', true),
        ),
        firstWave,
      )
      .otherwise(nothingToTransform);

    const work = Parallel.jsonPath(this, 'Load and transform', {
      comment: 'One branch: the Parallel is here so that one Catch covers every step of the work.',
      // The branch's output (the run's options, load and work) becomes the run's state again.
      outputPath: '$[0]',
    });
    work.branch(load);

    // --- Release the lease, after the work or after its failure, which the run then re-raises.
    const releaseLease = lease.release(this, 'Release the lease');
    const releaseLeaseAfterFailure = lease.release(this, 'Release the lease after the failure');
    const finished = Succeed.jsonPath(this, 'Run finished');
    const failed = Fail.jsonPath(this, "Fail with the step's error", {
      errorPath: '$.failure.Error',
      causePath: '$.failure.Cause',
    });
    takeLease.next(work);
    takeOverLease.next(work);
    work.addCatch(releaseLeaseAfterFailure, { errors: [Errors.ALL], resultPath: '$.failure' });
    work.next(releaseLease);
    releaseLease.addCatch(finished, { errors: [CONDITION_FAILED], resultPath: JsonPath.DISCARD });
    releaseLease.next(finished);
    releaseLeaseAfterFailure.addCatch(failed, { errors: [CONDITION_FAILED], resultPath: JsonPath.DISCARD });
    releaseLeaseAfterFailure.next(failed);

    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? RetentionDays.ONE_MONTH });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: `Hourly: take the run lease, load the lake's new files, build sql/manifest.json (${manifest.models.length} models, ${manifest.tests.length} data-quality tests), audit the layers, release the lease`,
      stateMachineType: StateMachineType.STANDARD,
      queryLanguage: QueryLanguage.JSON_PATH,
      definitionBody: DefinitionBody.fromChainable(readOptions),
      // Waiting for the lease does not eat into the work's own budget.
      timeout: runTimeout.plus(Duration.seconds(LEASE_WAIT.toSeconds() * maxLeaseWaits)),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: true },
    });
    this.grantDescribeOwnExecutions();
    // The anomaly announcement publishes to the alarm topic; an encrypted topic also needs its key.
    props.failureTopic.masterKey?.grant(this.stateMachine, 'kms:Decrypt', 'kms:GenerateDataKey');

    const cadence =
      schedule.everyMinutes === 60
        ? `at minute ${schedule.minute} of every hour`
        : `every ${schedule.everyMinutes} minutes from minute ${schedule.minute} of each hour`;
    this.schedule = new Rule(this, 'Schedule', {
      description: `Starts the pipeline run (load, then transform) ${cadence}; the ${pad(schedule.fullChecksHourUtc)}:${pad(schedule.minute)} UTC run checks all of history`,
      schedule: Schedule.cron({
        minute:
          schedule.everyMinutes === 60
            ? String(schedule.minute)
            : `${schedule.minute}/${schedule.everyMinutes}`,
        hour: '*',
      }),
      targets: [
        new SfnStateMachine(this.stateMachine, {
          input: RuleTargetInput.fromObject(SCHEDULED_RUN_INPUT),
          // A start that fails until the next run is due is superseded by it.
          retryAttempts: 4,
          maxEventAge: Duration.minutes(Math.max(schedule.everyMinutes, 1)),
        }),
      ],
    });

    this.failureNotification = new Rule(this, 'NotifyFailedRuns', {
      description: 'Publishes every failed, timed-out or aborted pipeline run to the alarm topic',
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
            `Pipeline run ${EventField.fromPath('$.detail.name')} ${EventField.fromPath('$.detail.status')}: ${EventField.fromPath('$.detail.error')}: ${EventField.fromPath('$.detail.cause')} (execution ${EventField.fromPath('$.detail.executionArn')})`,
          ),
        }),
      ],
    });
    this.acknowledgeFindings([props.loader, props.sqlRunner]);
  }

  private validate(
    schedule: RunSchedule,
    settings: { connectionRetries: number; maxLeaseWaits: number },
  ): void {
    if (!RUN_CADENCES_MINUTES.includes(schedule.everyMinutes)) {
      throw new Error(
        `PipelineRunStateMachine ${this.node.path}: schedule.everyMinutes is ${schedule.everyMinutes}; use one of ${RUN_CADENCES_MINUTES.join(', ')} (a divisor of the hour, at least 5)`,
      );
    }
    const ranges = {
      'schedule.minute': [0, schedule.everyMinutes - 1, schedule.minute],
      'schedule.fullChecksHourUtc': [0, 23, schedule.fullChecksHourUtc],
      connectionRetries: [
        CONNECTION_RETRIES_RANGE.min,
        CONNECTION_RETRIES_RANGE.max,
        settings.connectionRetries,
      ],
      // A run gives up waiting before the next scheduled one starts.
      maxLeaseWaits: [0, schedule.everyMinutes - 1, settings.maxLeaseWaits],
    } as const;
    for (const [name, [min, max, value]] of Object.entries(ranges)) {
      if (!Number.isInteger(value) || value < min || value > max) {
        throw new Error(
          `PipelineRunStateMachine ${this.node.path}: ${name} is ${value}; use a whole number from ${min} to ${max}`,
        );
      }
    }
  }

  private retryConnectionFailures(task: LambdaInvoke, connectionRetries: number): LambdaInvoke {
    // Besides these, LambdaInvoke retries Lambda's own service errors (retryOnServiceExceptions).
    if (connectionRetries > 0) {
      task.addRetry({
        errors: RETRIED_STEP_ERRORS,
        interval: CONNECTION_RETRY_INTERVAL,
        backoffRate: 2,
        maxAttempts: connectionRetries,
      });
    }
    return task;
  }

  /**
   * states:DescribeExecution on this state machine's executions, in a policy of its own attached
   * to the role: the role's default policy cannot name the state machine, which depends on it.
   */
  private grantDescribeOwnExecutions(): void {
    const policy = new Policy(this, 'DescribeOwnExecutions');
    this.stateMachine.role.attachInlinePolicy(policy);
    const grant = this.stateMachine.grantExecution(policy, 'states:DescribeExecution');
    acknowledgeWildcardResources(
      policy,
      grant.principalStatements.flatMap((statement) => statement.resources),
      'A run asks whether the execution holding the run lease is still running; the holder is any execution of this state machine (its ARN ends with the execution name, hence :*), and no other.',
    );
  }

  private acknowledgeFindings(functions: readonly IFunction[]): void {
    const policy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    if (policy === undefined) return;
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions documents Resource "*" for the log delivery actions (logs:CreateLogDelivery, ...) and for X-Ray (xray:PutTraceSegments, ...): neither API takes a resource ARN.',
    });
    for (const fn of functions) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
        reason: `The invoke grant covers the versions and aliases of ${fn.node.path} (its ARN with :*); it is this one function only.`,
      });
    }
  }
}
