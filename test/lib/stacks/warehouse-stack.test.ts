import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  loadTransformationManifest,
  planWaves,
} from '../../../lambdas/shared/transform/transformation-manifest.js';
import { PIPELINE_NODE_MAJOR } from '../../../lib/app/pipeline-node-version.js';
import { buildPipelineFor, cdkJsonContext } from '../../support/pipeline-app.js';

/** A state of the definition, as much of it as these tests read. */
interface DefinitionState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Default?: string;
  readonly Choices?: readonly Record<string, unknown>[];
  readonly Branches?: readonly StateGraph[];
  readonly Retry?: readonly {
    readonly ErrorEquals: string[];
    readonly MaxAttempts?: number;
    readonly IntervalSeconds?: number;
    readonly BackoffRate?: number;
  }[];
  readonly Catch?: readonly {
    readonly ErrorEquals: string[];
    readonly ResultPath?: string | null;
    readonly Next: string;
  }[];
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown> & { readonly Payload?: Record<string, unknown> };
  readonly ResultSelector?: Record<string, string>;
  readonly ResultPath?: string | null;
  readonly OutputPath?: string;
  readonly Result?: unknown;
  readonly Seconds?: number;
  readonly ErrorPath?: string;
  readonly CausePath?: string;
}
interface StateGraph {
  readonly StartAt: string;
  readonly States: Record<string, DefinitionState>;
}

/**
 * A CloudFormation reference as a placeholder: `<AWS::Partition>`, `<LoadingLoaderFunction14059E28.Arn>`,
 * `<SpotifyPipeline-dev-Ingestion.PublishOutputRef...>` for another stack's output.
 */
function placeholder(reference: unknown): string {
  const {
    Ref,
    'Fn::GetAtt': getAtt,
    'Fn::GetStackOutput': output,
  } = reference as {
    Ref?: string;
    'Fn::GetAtt'?: string[];
    'Fn::GetStackOutput'?: { StackName: string; OutputName: string };
  };
  if (Ref !== undefined) return `<${Ref}>`;
  if (getAtt !== undefined) return `<${getAtt.join('.')}>`;
  if (output !== undefined) return `<${output.StackName}.${output.OutputName}>`;
  throw new Error(`unexpected reference in the definition: ${JSON.stringify(reference)}`);
}

/** The state machine's definition with its CloudFormation references replaced by placeholders. */
function definitionOf(template: Template): StateGraph & { TimeoutSeconds: number; QueryLanguage: string } {
  const [stateMachine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const parts = stateMachine!.Properties.DefinitionString['Fn::Join'][1] as unknown[];
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : placeholder(part))).join(''));
}

/** Every state of the graph, those inside Parallel branches too, by name. */
function allStates(graph: StateGraph): Record<string, DefinitionState> {
  return Object.fromEntries(
    Object.entries(graph.States).flatMap(([name, state]) => [
      [name, state],
      ...(state.Branches ?? []).flatMap((branch) => Object.entries(allStates(branch))),
    ]),
  );
}

/** The states of one branch in the order they run, following Next (and a Choice's first rule). */
function runOrder(graph: StateGraph): string[] {
  const order: string[] = [];
  let name: string | undefined = graph.StartAt;
  while (name !== undefined && !order.includes(name)) {
    order.push(name);
    const state: DefinitionState = graph.States[name]!;
    name = state.Type === 'Choice' ? (state.Choices![0]!.Next as string) : state.Next;
  }
  return order;
}

const CONDITION_FAILED = 'DynamoDB.ConditionalCheckFailedException';

describe.each(['dev', 'prod'])('the %s warehouse stack', (environmentName) => {
  // GIVEN the app as bin/app.ts builds it
  const { stacks, config } = buildPipelineFor(environmentName);
  // WHEN the warehouse stack is synthesized
  const template = Template.fromStack(stacks.warehouse);
  const manifest = loadTransformationManifest();
  const resources = template.toJSON().Resources as ReturnType<Template['findResources']>;
  const logicalIdOf = (type: string, prefix: string) => {
    const ids = Object.keys(resources).filter((id) => resources[id]!.Type === type && id.startsWith(prefix));
    expect(ids, `${type} ${prefix}*`).toHaveLength(1);
    return ids[0]!;
  };
  const loaderId = logicalIdOf('AWS::Lambda::Function', 'LoadingLoaderFunction');
  const sqlRunnerId = logicalIdOf('AWS::Lambda::Function', 'TransformationSqlRunnerFunction');
  const stateMachineId = logicalIdOf('AWS::StepFunctions::StateMachine', 'PipelineRunStateMachine');
  const leaseTableId = logicalIdOf('AWS::DynamoDB::Table', 'RunLeaseTable');
  /** Every statement of every policy attached to the role of `roleLogicalId`, with the policy's id. */
  const statementsOfRole = (roleLogicalId: string) =>
    Object.entries(resources)
      .filter(
        ([, resource]) =>
          resource.Type === 'AWS::IAM::Policy' &&
          JSON.stringify(resource.Properties.Roles) === JSON.stringify([{ Ref: roleLogicalId }]),
      )
      .flatMap(([policyId, resource]) =>
        (resource.Properties.PolicyDocument.Statement as Record<string, unknown>[]).map((statement) => ({
          ...statement,
          policyId,
          Action: [statement.Action].flat() as string[],
          Resource: statement.Resource,
          Condition: statement.Condition,
        })),
      );
  const roleOf = (logicalId: string) =>
    (resources[logicalId]!.Properties.Role ?? resources[logicalId]!.Properties.RoleArn)[
      'Fn::GetAtt'
    ][0] as string;

  it('is named after the environment and uses the lake, the secret and the alarm topic of the other stacks', () => {
    expect(stacks.warehouse.stackName).toBe(`SpotifyPipeline-${environmentName}-Warehouse`);
    expect(stacks.warehouse.dependencies).toEqual(
      expect.arrayContaining([stacks.stateful, stacks.ingestion]),
    );
  });

  describe('the loader function', () => {
    it('is one ARM64 Node.js function on the pipeline’s line with JSON logs, sized by config, outside the VPC, with sql/ in its bundle and Snowflake timeouts a minute inside its own', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Architectures: ['arm64'],
        Runtime: `nodejs${PIPELINE_NODE_MAJOR}.x`,
        LoggingConfig: { LogFormat: 'JSON', LogGroup: Match.anyValue() },
        MemorySize: config.loading.memoryMiB,
        Timeout: config.loading.timeoutSeconds,
        VpcConfig: Match.absent(),
        Environment: {
          Variables: {
            LAKE_BUCKET: Match.objectLike({ 'Fn::GetStackOutput': Match.anyValue() }),
            SNOWFLAKE_SECRET_ARN: Match.objectLike({ 'Fn::GetStackOutput': Match.anyValue() }),
            SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS: String(config.loading.timeoutSeconds - 60),
            SNOWFLAKE_LOCK_TIMEOUT_SECONDS: String(config.loading.timeoutSeconds - 60),
            SQL_DIR: '/var/task/sql',
            NODE_OPTIONS: '--enable-source-maps',
          },
        },
      });
      expect(resources[loaderId]!.Properties.Environment.Variables).not.toHaveProperty(
        'TRANSFORMATION_STATE_MACHINE_ARN',
      );
    });

    it('has no schedule and no asynchronous invocation of its own: only the pipeline run invokes it', () => {
      template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 0);
      const rules = Object.values(template.findResources('AWS::Events::Rule'));
      expect(JSON.stringify(rules)).not.toContain(loaderId);
      template.resourceCountIs('AWS::Lambda::Permission', 0);
    });

    it('may list and read arrivals/, read bronze/ objects (never list bronze/) and read the secret, and has no Step Functions permission at all', () => {
      const statements = statementsOfRole(roleOf(loaderId));
      const actions = statements.flatMap((statement) => statement.Action);
      expect(actions.filter((action) => action.startsWith('states:'))).toEqual([]);
      expect(actions).toContain('secretsmanager:GetSecretValue');
      expect(actions.filter((action) => action.startsWith('s3:')).sort()).toEqual([
        's3:GetObject',
        's3:ListBucket',
      ]);
      const listings = statements.filter((statement) => statement.Action.includes('s3:ListBucket'));
      expect(listings.map((statement) => statement.Condition)).toEqual([
        { StringLike: { 's3:prefix': ['arrivals/*'] } },
      ]);
      const objectReads = JSON.stringify(
        statements.filter((statement) => statement.Action.includes('s3:GetObject')).map((s) => s.Resource),
      );
      expect(objectReads).toMatch(/\/arrivals\/\*"/);
      expect(objectReads).toMatch(/\/bronze\/\*"/);
      expect(objectReads).not.toMatch(/quarantine/);
    });
  });

  describe('the SQL-runner function', () => {
    it('is sized by config, with Snowflake timeouts a minute inside its own, and may read the secret only', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        MemorySize: config.transformation.stepMemoryMiB,
        Timeout: config.transformation.stepTimeoutSeconds,
        Environment: {
          Variables: Match.objectLike({
            SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS: String(config.transformation.stepTimeoutSeconds - 60),
            SNOWFLAKE_LOCK_TIMEOUT_SECONDS: String(config.transformation.stepTimeoutSeconds - 60),
          }),
        },
      });
      expect(resources[sqlRunnerId]!.Properties.Timeout).toBe(config.transformation.stepTimeoutSeconds);
      const actions = statementsOfRole(roleOf(sqlRunnerId)).flatMap((statement) => statement.Action);
      expect(actions.sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    });
  });

  describe('the run lease', () => {
    it('is the one table of the stack (its shape is tested with the RunLease construct)', () => {
      template.resourceCountIs('AWS::DynamoDB::Table', 1);
      expect(stacks.warehouse.runLease.table).toBeDefined();
    });
  });

  describe('the pipeline run', () => {
    const definition = definitionOf(template);
    const states = allStates(definition);
    const state = (name: string): DefinitionState => {
      expect(states, `state "${name}"`).toHaveProperty([name]);
      return states[name]!;
    };
    const work = state('Load and transform');
    const workBranch = work.Branches![0]!;
    const lambdaTasks = Object.values(states).filter((s) => s.Resource?.endsWith(':lambda:invoke'));

    it('may use the alarm topic’s key, which the anomaly announcement needs to publish to the encrypted topic', () => {
      const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
        JSON.stringify(policy.Properties.Roles).includes('PipelineRunStateMachineRole'),
      );
      const statements = policies.flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[],
      );
      const keyUse = statements.find(
        (statement) =>
          JSON.stringify(statement.Action) === JSON.stringify(['kms:Decrypt', 'kms:GenerateDataKey']),
      );
      expect(keyUse, 'a statement granting the key').toBeDefined();
      expect(JSON.stringify(keyUse!.Resource)).toMatch(/AlarmTopicKey/);
    });

    it('is started at the configured minute of every hour with {"fullRefresh": false} and its time, and by nothing else', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: `cron(${config.loading.schedule.minute} * * * ? *)`,
        State: 'ENABLED',
        Targets: [
          Match.objectLike({
            Arn: { Ref: stateMachineId },
            InputTransformer: {
              InputPathsMap: { time: '$.time' },
              InputTemplate: '{"fullRefresh":false,"fullChecks":false,"scheduledAt":<time>}',
            },
            RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 3600 },
          }),
        ],
      });
      const scheduled = Object.values(template.findResources('AWS::Events::Rule')).filter(
        (rule) => rule.Properties.ScheduleExpression !== undefined,
      );
      expect(scheduled).toHaveLength(1);
    });

    it('is one standard JSONPath state machine with X-Ray tracing, every event logged, and the configured run timeout plus the longest wait for the lease', () => {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      });
      expect(definition.QueryLanguage).toBe('JSONPath');
      expect(definition.TimeoutSeconds).toBe(config.transformation.runTimeoutMinutes * 60 + 55 * 60);
    });

    it('reads the options first: only an explicit boolean "fullRefresh": true is a full refresh, an explicit "fullChecks": true or the first scheduled run of the full-checks hour checks all of history, and the wait count starts at 0', () => {
      const explicitlyTrue = (path: string) => ({
        And: [
          { Variable: path, IsPresent: true },
          { Variable: path, IsBoolean: true },
          { Variable: path, BooleanEquals: true },
        ],
      });
      const readOptions = definition.States[definition.StartAt]!;
      expect(readOptions).toMatchObject({ Type: 'Choice', Choices: [explicitlyTrue('$.fullRefresh')] });
      const full = state(readOptions.Choices![0]!.Next as string);
      const incremental = state(readOptions.Default!);
      expect(full).toMatchObject({ Type: 'Pass', Parameters: { fullRefresh: true, 'input.$': '$' } });
      expect(incremental).toMatchObject({ Type: 'Pass', Parameters: { fullRefresh: false, 'input.$': '$' } });
      expect(full.Next).toBe(incremental.Next);
      const readChecks = state(full.Next!);
      const minute = String(config.loading.schedule.minute).padStart(2, '0');
      const hour = String(config.loading.schedule.fullChecksHourUtc).padStart(2, '0');
      expect(readChecks).toMatchObject({
        Type: 'Choice',
        Choices: [
          {
            Or: [
              explicitlyTrue('$.input.fullChecks'),
              {
                And: [
                  { Variable: '$.input.scheduledAt', IsPresent: true },
                  { Variable: '$.input.scheduledAt', IsString: true },
                  { Variable: '$.input.scheduledAt', StringMatches: `*T${hour}:${minute}:*` },
                ],
              },
            ],
          },
        ],
      });
      const fullChecks = state(readChecks.Choices![0]!.Next as string);
      const batchChecks = state(readChecks.Default!);
      expect(fullChecks).toMatchObject({
        Type: 'Pass',
        Parameters: { 'fullRefresh.$': '$.fullRefresh', fullChecks: true, waits: 0 },
      });
      expect(batchChecks).toMatchObject({
        Type: 'Pass',
        Parameters: { 'fullRefresh.$': '$.fullRefresh', fullChecks: false, waits: 0 },
      });
      expect(fullChecks.Next).toBe('Take the run lease');
      expect(batchChecks.Next).toBe('Take the run lease');
    });

    it('takes the run lease with a conditional put: free, or already held by this very execution', () => {
      expect(state('Take the run lease')).toMatchObject({
        Resource: 'arn:<AWS::Partition>:states:::dynamodb:putItem',
        Parameters: {
          TableName: `<${leaseTableId}>`,
          Item: {
            lease: { S: 'pipeline-run' },
            holder: { 'S.$': '$$.Execution.Id' },
          },
          ConditionExpression: 'attribute_not_exists(lease) OR holder = :me',
          ExpressionAttributeValues: { ':me': { 'S.$': '$$.Execution.Id' } },
        },
        ResultPath: null,
        Catch: [{ ErrorEquals: [CONDITION_FAILED], Next: 'Read the lease' }],
        Next: 'Load and transform',
      });
    });

    it('when the lease is held, reads it consistently and asks Step Functions whether its holder still runs', () => {
      expect(state('Read the lease')).toMatchObject({
        Resource: 'arn:<AWS::Partition>:states:::dynamodb:getItem',
        Parameters: { Key: { lease: { S: 'pipeline-run' } }, ConsistentRead: true },
        ResultPath: '$.lease',
        Next: 'Is the lease still held?',
      });
      expect(state('Is the lease still held?')).toMatchObject({
        Choices: [{ Variable: '$.lease.Item.holder.S', IsPresent: false, Next: 'Take the run lease' }],
        Default: 'Look up the lease holder',
      });
      expect(state('Look up the lease holder')).toMatchObject({
        Resource: 'arn:<AWS::Partition>:states:::aws-sdk:sfn:describeExecution',
        Parameters: { 'ExecutionArn.$': '$.lease.Item.holder.S' },
        ResultSelector: { 'status.$': '$.Status' },
        ResultPath: '$.holder',
        Catch: [
          { ErrorEquals: ['Sfn.ExecutionDoesNotExistException'], Next: 'Take over from the ended holder' },
        ],
        Next: 'Is the holder still running?',
      });
    });

    it('waits a minute at a time for a running holder, counting, and ends as skipped (not failed) after 55 waits', () => {
      expect(state('Is the holder still running?')).toMatchObject({
        Choices: [{ Variable: '$.holder.status', StringEquals: 'RUNNING', Next: 'Waited long enough?' }],
        Default: 'Take over from the ended holder',
      });
      const waitedLongEnough = state('Waited long enough?');
      expect(waitedLongEnough.Choices).toEqual([
        { Variable: '$.waits', NumericGreaterThanEquals: 55, Next: 'Skipped: another run holds the lease' },
      ]);
      expect(state('Skipped: another run holds the lease').Type).toBe('Succeed');
      const wait = state(waitedLongEnough.Default!);
      expect(wait).toMatchObject({ Type: 'Wait', Seconds: 60 });
      expect(state(wait.Next!)).toMatchObject({
        Type: 'Pass',
        Parameters: { 'fullRefresh.$': '$.fullRefresh', 'waits.$': 'States.MathAdd($.waits, 1)' },
        Next: 'Take the run lease',
      });
    });

    it('takes the lease over from an ended holder by compare-and-swap on that exact holder, and starts again if it lost', () => {
      expect(state('Take over from the ended holder')).toMatchObject({
        Resource: 'arn:<AWS::Partition>:states:::dynamodb:putItem',
        Parameters: {
          Item: { lease: { S: 'pipeline-run' }, holder: { 'S.$': '$$.Execution.Id' } },
          ConditionExpression: 'holder = :stale',
          ExpressionAttributeValues: { ':stale': { 'S.$': '$.lease.Item.holder.S' } },
        },
        Catch: [{ ErrorEquals: [CONDITION_FAILED], Next: 'Take the run lease' }],
        Next: 'Load and transform',
      });
    });

    it('does the work in one Parallel of one branch that starts with the load, keeping its counts', () => {
      expect(work).toMatchObject({ Type: 'Parallel', OutputPath: '$[0]', Next: 'Release the lease' });
      expect(work.Branches).toHaveLength(1);
      expect(workBranch.StartAt).toBe('Load new lake files');
      expect(state('Load new lake files')).toMatchObject({
        Parameters: { FunctionName: `<${loaderId}.Arn>`, Payload: { 'runId.$': '$$.Execution.Name' } },
        ResultSelector: {
          'filesLoaded.$': '$.Payload.filesLoaded',
          'rowsInserted.$': '$.Payload.rowsInserted',
          'linesRejected.$': '$.Payload.linesRejected',
          'filesLeftForNextRun.$': '$.Payload.filesLeftForNextRun',
        },
        ResultPath: '$.load',
        Next: 'Check for work',
      });
    });

    it('invokes the loader for the load and the SQL runner for every other step', () => {
      const invoked = lambdaTasks.map((task) => task.Parameters!.FunctionName);
      expect(invoked.filter((fn) => fn === `<${loaderId}.Arn>`)).toHaveLength(1);
      expect(invoked.filter((fn) => fn === `<${sqlRunnerId}.Arn>`)).toHaveLength(invoked.length - 1);
    });

    it('asks the warehouse for pending work, and transforms only on a full refresh, full checks, or when there is some', () => {
      expect(state('Check for work')).toMatchObject({
        Parameters: { Payload: { kind: 'pending-work', 'batchId.$': '$$.Execution.Name' } },
        ResultSelector: {
          'hasWork.$': '$.Payload.hasWork',
          'unclaimedLoads.$': '$.Payload.unclaimedLoads',
          'pendingDays.$': '$.Payload.pendingDays',
          'unfoldedBatches.$': '$.Payload.unfoldedBatches',
        },
        ResultPath: '$.work',
        Next: 'Anything to transform?',
      });
      const choice = state('Anything to transform?');
      expect(choice.Choices).toEqual([
        {
          Or: [
            { Variable: '$.fullRefresh', BooleanEquals: true },
            { Variable: '$.fullChecks', BooleanEquals: true },
            { Variable: '$.work.hasWork', BooleanEquals: true },
          ],
          Next: runOrder(workBranch)[3],
        },
      ]);
      expect(choice.Default).toBe('Nothing new to transform');
      expect(state(choice.Default!)).toMatchObject({ Type: 'Pass', Next: 'Audit the layers' });
    });

    it("runs the manifest's waves in order, the models of a wave in parallel, then every data-quality test", () => {
      const order = runOrder(workBranch);
      const transformation = order
        .slice(3, order.indexOf('Data-quality tests') + 1)
        .map((name) => workBranch.States[name]!);
      const tasksOf = (s: DefinitionState) =>
        s.Type === 'Parallel' ? s.Branches!.map((branch) => branch.States[branch.StartAt]!) : [s];
      const payloads = transformation.map((s) => tasksOf(s).map((task) => task.Parameters!.Payload!));
      const waves = planWaves(manifest).map((wave) => wave.map((model) => model.name).sort());
      expect(payloads.slice(0, -1).map((wave) => wave.map((payload) => payload.model).sort())).toEqual(waves);
      expect(
        payloads
          .at(-1)!
          .map((payload) => payload.test)
          .sort(),
      ).toEqual(manifest.tests.map((test) => test.name).sort());
      expect(transformation.at(-1)).toMatchObject({
        Type: 'Parallel',
        Next: 'Find new anomalies',
        ResultPath: null,
      });
      for (const s of transformation) expect(s.ResultPath, 'every step passes the run on').toBeNull();
    });

    it('after the checks, announces the skip-rate anomalies the run found first on the alarm topic, and nothing when there are none', () => {
      expect(runOrder(workBranch).slice(-4, -1)).toEqual([
        'Find new anomalies',
        'Any new anomalies?',
        'Announce new anomalies',
      ]);
      expect(state('Find new anomalies')).toMatchObject({
        Parameters: {
          FunctionName: `<${sqlRunnerId}.Arn>`,
          Payload: {
            kind: 'new-anomalies',
            'batchId.$': '$$.Execution.Name',
            'fullRefresh.$': '$.fullRefresh',
          },
        },
        ResultSelector: { 'count.$': '$.Payload.count', 'message.$': '$.Payload.message' },
        ResultPath: '$.anomalies',
      });
      const choice = state('Any new anomalies?');
      expect(choice.Choices).toEqual([
        { Variable: '$.anomalies.count', NumericGreaterThan: 0, Next: 'Announce new anomalies' },
      ]);
      expect(state(choice.Default!)).toMatchObject({ Type: 'Pass', Next: 'Audit the layers' });
      const announce = state('Announce new anomalies');
      // The topic is the ingestion stack's alarm topic, through one of that stack's outputs.
      const [, outputName] = /^<(?:[^.]+)\.(.+)>$/.exec(String(announce.Parameters!.TopicArn))!;
      const alarmTopicId = stacks.ingestion.getLogicalId(
        stacks.ingestion.monitoring.alarmTopic.node.defaultChild as CfnElement,
      );
      expect(Template.fromStack(stacks.ingestion).toJSON().Outputs[outputName!].Value).toEqual({
        Ref: alarmTopicId,
      });
      expect(announce).toMatchObject({
        Resource: 'arn:<AWS::Partition>:states:::sns:publish',
        Parameters: {
          TopicArn: `<${stacks.ingestion.stackName}.${outputName}>`,
          'Message.$': '$.anomalies.message',
          Subject: 'Skip-rate anomalies found',
        },
        ResultPath: null,
        Next: 'Audit the layers',
      });
    });

    it('audits the layers last, in every run that gets past the check for work, keeping the audit in the run and failing only when the step itself fails', () => {
      expect(runOrder(workBranch).slice(-4)).toEqual([
        'Find new anomalies',
        'Any new anomalies?',
        'Announce new anomalies',
        'Audit the layers',
      ]);
      const precededBy = Object.entries(workBranch.States)
        .filter(([, s]) => s.Next === 'Audit the layers')
        .map(([name]) => name)
        .sort();
      expect(precededBy).toEqual(['Announce new anomalies', 'No new anomalies', 'Nothing new to transform']);
      const audit = state('Audit the layers');
      expect(audit).toMatchObject({
        Type: 'Task',
        Resource: 'arn:<AWS::Partition>:states:::lambda:invoke',
        Parameters: {
          FunctionName: `<${sqlRunnerId}.Arn>`,
          Payload: { kind: 'audit', 'batchId.$': '$$.Execution.Name' },
        },
        ResultSelector: {
          'unexplained.$': '$.Payload.unexplained',
          'findings.$': '$.Payload.findings',
          'findingsLeftOut.$': '$.Payload.findingsLeftOut',
          'notes.$': '$.Payload.notes',
          'layers.$': '$.Payload.layers',
        },
        ResultPath: '$.audit',
        End: true,
      });
      // Unexplained records are a result, not an error: nothing in the branch reads them, and the
      // step's own failures are retried as every other step's are (Lambda's, then the warehouse's).
      expect(audit.Catch).toBeUndefined();
      expect(audit.Retry!.map((retrier) => retrier.ErrorEquals)).toEqual([
        [
          'Lambda.ClientExecutionTimeoutException',
          'Lambda.ServiceException',
          'Lambda.AWSLambdaException',
          'Lambda.SdkClientException',
        ],
        ['WarehouseConnectionError'],
      ]);
      expect(audit.Retry!.at(-1)).toEqual({
        ErrorEquals: ['WarehouseConnectionError'],
        IntervalSeconds: 20,
        BackoffRate: 2,
        MaxAttempts: config.transformation.connectionRetries,
      });
      expect(JSON.stringify(workBranch.States)).not.toContain('$.audit.unexplained');
    });

    it('passes every step the batch id (the execution name) and every model the run’s fullRefresh', () => {
      const payloads = lambdaTasks.filter((task) => task !== state('Load new lake files'));
      expect(payloads).toHaveLength(manifest.models.length + manifest.tests.length + 3);
      for (const task of payloads) expect(task.Parameters!.Payload!['batchId.$']).toBe('$$.Execution.Name');
      const models = payloads.filter((task) => task.Parameters!.Payload!.kind === 'model');
      expect(models).toHaveLength(manifest.models.length);
      for (const task of models) expect(task.Parameters!.Payload!['fullRefresh.$']).toBe('$.fullRefresh');
    });

    it("retries a Lambda step only for Lambda's service errors and a failed warehouse connection, never a failed SQL or test", () => {
      expect(lambdaTasks).toHaveLength(manifest.models.length + manifest.tests.length + 4);
      for (const task of lambdaTasks) {
        const retried = task.Retry!.flatMap((retrier) => retrier.ErrorEquals);
        expect(retried.filter((error) => !error.startsWith('Lambda.'))).toEqual(['WarehouseConnectionError']);
        expect(task.Retry!.at(-1)).toEqual({
          ErrorEquals: ['WarehouseConnectionError'],
          IntervalSeconds: 20,
          BackoffRate: 2,
          MaxAttempts: config.transformation.connectionRetries,
        });
      }
    });

    it('releases the lease after the work, only if it still holds it, and succeeds', () => {
      const release = state('Release the lease');
      expect(release).toMatchObject({
        Resource: 'arn:<AWS::Partition>:states:::dynamodb:deleteItem',
        Parameters: {
          Key: { lease: { S: 'pipeline-run' } },
          ConditionExpression: 'holder = :me',
          ExpressionAttributeValues: { ':me': { 'S.$': '$$.Execution.Id' } },
        },
        Catch: [{ ErrorEquals: [CONDITION_FAILED], Next: release.Next! }],
      });
      expect(state(release.Next!).Type).toBe('Succeed');
    });

    it('on any failure of the work releases the lease too, then fails with the step’s own error and cause', () => {
      expect(work.Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Release the lease after the failure' },
      ]);
      const release = state('Release the lease after the failure');
      expect(release).toMatchObject({
        Resource: 'arn:<AWS::Partition>:states:::dynamodb:deleteItem',
        Parameters: { ConditionExpression: 'holder = :me' },
        Catch: [{ ErrorEquals: [CONDITION_FAILED], Next: release.Next! }],
      });
      expect(state(release.Next!)).toEqual({
        Type: 'Fail',
        ErrorPath: '$.failure.Error',
        CausePath: '$.failure.Cause',
      });
    });

    it("may use the lease table, invoke the two functions, and describe its own executions through a policy apart from the role's default one", () => {
      const statements = statementsOfRole(roleOf(stateMachineId));
      const defaultPolicy = statements.filter((s) => s.policyId.includes('DefaultPolicy'));
      const separate = statements.filter((s) => !s.policyId.includes('DefaultPolicy'));
      expect(defaultPolicy.flatMap((s) => s.Action).filter((action) => action.startsWith('states:'))).toEqual(
        [],
      );
      expect(defaultPolicy).toContainEqual(
        expect.objectContaining({
          Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
          Resource: { 'Fn::Join': ['', expect.arrayContaining([{ Ref: leaseTableId }])] },
        }),
      );
      expect(JSON.stringify(defaultPolicy)).toContain(loaderId);
      expect(JSON.stringify(defaultPolicy)).toContain(sqlRunnerId);
      expect(separate).toEqual([
        expect.objectContaining({
          Action: ['states:DescribeExecution'],
          Resource: {
            'Fn::Join': [
              '',
              expect.arrayContaining([
                ':execution:',
                { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: stateMachineId }] }] },
                ':*',
              ]),
            ],
          },
        }),
      ]);
    });

    it('publishes every failed, timed-out or aborted run to the alarm topic, with its cause', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.states'],
          'detail-type': ['Step Functions Execution Status Change'],
          detail: {
            status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
            stateMachineArn: [{ Ref: stateMachineId }],
          },
        },
        Targets: [
          Match.objectLike({
            Arn: Match.objectLike({ 'Fn::GetStackOutput': Match.anyValue() }),
            InputTransformer: Match.objectLike({
              InputTemplate: Match.stringLikeRegexp('<detail-cause>'),
            }),
          }),
        ],
      });
    });

    it('outputs its ARN, saying how to start a run by hand, and names no function to invoke by hand', () => {
      template.hasOutput('PipelineRunStateMachineArn', {
        Value: { Ref: stateMachineId },
        Description: Match.stringLikeRegexp('"fullRefresh": true'),
      });
      expect(Object.keys(template.findOutputs('*'))).toEqual(['PipelineRunStateMachineArn']);
    });
  });

  describe('monitoring', () => {
    it('alarms on freshness: the oldest unloaded file over the threshold, or no report, for two hours', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'OldestUnloadedFileAgeSeconds',
        Namespace: 'SpotifyPipeline',
        Dimensions: [{ Name: 'service', Value: 'lake-loader' }],
        Threshold: config.observability.freshnessThresholdMinutes * 60,
        EvaluationPeriods: 2,
        TreatMissingData: 'breaching',
        AlarmActions: [Match.objectLike({ 'Fn::GetStackOutput': Match.anyValue() })],
      });
    });

    it('alarms on loader errors and on failed pipeline runs, and has a dashboard', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: loaderId } }],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'failed + timedOut + aborted' }),
          Match.objectLike({
            MetricStat: Match.objectLike({
              Metric: Match.objectLike({
                MetricName: 'ExecutionsFailed',
                Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: stateMachineId } }],
              }),
            }),
          }),
        ]),
        Threshold: 1,
      });
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    });

    it("alarms on the audit's unexplained records above zero in any run period, telling the alarm topic, and shows them on the dashboard", () => {
      const alarms = Object.values(
        template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'Unexplained' } }),
      );
      expect(alarms).toHaveLength(1);
      const alarm = alarms[0]!.Properties;
      expect(alarm).toMatchObject({
        Namespace: 'SpotifyPipeline',
        Dimensions: [{ Name: 'service', Value: 'sql-runner' }],
        Statistic: 'Maximum',
        Period: config.loading.schedule.everyMinutes * 60,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
      // The alarm topic is the ingestion stack's, reached through one of that stack's outputs.
      const alarmTopicId = stacks.ingestion.getLogicalId(
        stacks.ingestion.monitoring.alarmTopic.node.defaultChild as CfnElement,
      );
      const ingestionOutputs = Template.fromStack(stacks.ingestion).toJSON().Outputs;
      for (const actions of [alarm.AlarmActions, alarm.OKActions]) {
        expect(actions).toHaveLength(1);
        const { OutputName } = actions[0]['Fn::GetStackOutput'];
        expect(ingestionOutputs[OutputName].Value).toEqual({ Ref: alarmTopicId });
      }
      const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
      expect(JSON.stringify(dashboard!.Properties.DashboardBody)).toMatch(
        /Records the audit cannot explain.*\\"SpotifyPipeline\\",\\"Unexplained\\",\\"service\\",\\"sql-runner\\"/,
      );
    });

    it('alarms when gold lags bronze by more than the freshness threshold at a run, telling the alarm topic, and shows the lag on the dashboard', () => {
      const alarms = Object.values(
        template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'GoldLagSeconds' } }),
      );
      expect(alarms.map((alarm) => alarm.Properties)).toEqual([
        expect.objectContaining({
          Namespace: 'SpotifyPipeline',
          Dimensions: [{ Name: 'service', Value: 'sql-runner' }],
          Statistic: 'Maximum',
          Period: config.loading.schedule.everyMinutes * 60,
          Threshold: config.observability.freshnessThresholdMinutes * 60,
          ComparisonOperator: 'GreaterThanThreshold',
          EvaluationPeriods: 1,
          TreatMissingData: 'notBreaching',
          AlarmActions: [expect.objectContaining({ 'Fn::GetStackOutput': expect.anything() })],
          OKActions: [expect.objectContaining({ 'Fn::GetStackOutput': expect.anything() })],
        }),
      ]);
      const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
      expect(JSON.stringify(dashboard!.Properties.DashboardBody)).toMatch(
        /Gold lag behind bronze.*\\"SpotifyPipeline\\",\\"GoldLagSeconds\\",\\"service\\",\\"sql-runner\\"/,
      );
    });
  });
});

describe('the stateful stack once Snowflake’s storage integration is configured', () => {
  it("lets the integration's IAM user assume the lake-reader role with its external id", () => {
    // GIVEN dev from cdk.json plus what DESC INTEGRATION reported
    const integration = {
      iamUserArn: 'arn:aws:iam::999999999999:user/abc0-s-xyz',
      externalId: 'ORG_SFCRole=2_x',
    };
    const environments = cdkJsonContext().environments as Record<string, Record<string, unknown>>;
    const dev = environments.dev!;
    const { stacks } = buildPipelineFor('dev', {
      environments: {
        dev: { ...dev, loading: { ...(dev.loading as object), snowflakeStorageIntegration: integration } },
      },
    });

    // WHEN / THEN
    Template.fromStack(stacks.stateful).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { AWS: integration.iamUserArn },
            Condition: { StringEquals: { 'sts:ExternalId': integration.externalId } },
          }),
        ],
      },
    });
  });
});

describe('the freshness alarm and the cadence', () => {
  /** The dev environment of cdk.json with its schedule and freshness threshold replaced. */
  const devWith = (everyMinutes: number, freshnessThresholdMinutes: number) => {
    const environments = cdkJsonContext().environments as Record<
      string,
      Record<string, Record<string, unknown>>
    >;
    const dev = environments.dev!;
    return () =>
      buildPipelineFor('dev', {
        environments: {
          ...environments,
          dev: {
            ...dev,
            loading: { ...dev.loading, schedule: { everyMinutes, minute: 0, fullChecksHourUtc: 3 } },
            observability: { ...dev.observability, freshnessThresholdMinutes },
          },
        },
      });
  };

  it('GIVEN hourly runs and a 60-minute freshness threshold THEN it is refused: a file may wait an hour for its run', () => {
    expect(devWith(60, 60)).toThrow(
      /freshnessThreshold is 60 minutes; use at least 90 \(a file written just after a load waits 60 minutes for the next run\)/,
    );
  });

  it('GIVEN runs every 15 minutes THEN a 45-minute freshness threshold is accepted', () => {
    expect(devWith(15, 45)).not.toThrow();
  });
});
