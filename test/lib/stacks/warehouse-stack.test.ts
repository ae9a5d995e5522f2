import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  loadTransformationManifest,
  planWaves,
} from '../../../lambdas/shared/transform/transformation-manifest.js';
import { buildPipelineFor, cdkJsonContext } from '../../support/pipeline-app.js';

/** A state of the definition, as much of it as these tests read. */
interface DefinitionState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Branches?: { readonly StartAt: string; readonly States: Record<string, DefinitionState> }[];
  readonly Retry?: { readonly ErrorEquals: string[]; readonly MaxAttempts?: number }[];
  readonly Arguments?: { readonly Payload?: Record<string, unknown> };
}

/** The state machine's definition with its CloudFormation references replaced by placeholders. */
function definitionOf(template: Template): { StartAt: string; States: Record<string, DefinitionState> } {
  const [stateMachine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const parts = stateMachine!.Properties.DefinitionString['Fn::Join'][1] as unknown[];
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'REF')).join(''));
}

/** Top-level states in the order they run, each with the payloads of the tasks inside it. */
function topLevelSteps(definition: ReturnType<typeof definitionOf>) {
  const steps: { name: string; payloads: Record<string, unknown>[]; tasks: DefinitionState[] }[] = [];
  let name: string | undefined = definition.StartAt;
  while (name !== undefined) {
    const state: DefinitionState = definition.States[name]!;
    const tasks =
      state.Type === 'Parallel'
        ? state.Branches!.map((branch) => branch.States[branch.StartAt]!)
        : state.Type === 'Task'
          ? [state]
          : [];
    steps.push({ name, tasks, payloads: tasks.map((task) => task.Arguments!.Payload!) });
    name = state.Next;
  }
  return steps;
}

describe.each(['dev', 'prod'])('the %s warehouse stack', (environmentName) => {
  // GIVEN the app as bin/app.ts builds it
  const { stacks, config } = buildPipelineFor(environmentName);
  // WHEN the warehouse stack is synthesized
  const template = Template.fromStack(stacks.warehouse);
  const manifest = loadTransformationManifest();

  it('is named after the environment and uses the lake, the secret and the alarm topic of the other stacks', () => {
    expect(stacks.warehouse.stackName).toBe(`SpotifyPipeline-${environmentName}-Warehouse`);
    expect(stacks.warehouse.dependencies).toEqual(
      expect.arrayContaining([stacks.stateful, stacks.ingestion]),
    );
  });

  describe('loading', () => {
    const loaderId = Object.keys(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: { LAKE_BUCKET: Match.anyValue() } } },
      }),
    );

    it('is one ARM64 Node.js 22 function with JSON logs, sized by config, outside the VPC, with sql/ in its bundle', () => {
      expect(loaderId).toHaveLength(1);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Architectures: ['arm64'],
        Runtime: 'nodejs22.x',
        LoggingConfig: { LogFormat: 'JSON', LogGroup: Match.anyValue() },
        MemorySize: config.loading.memoryMiB,
        Timeout: config.loading.timeoutSeconds,
        VpcConfig: Match.absent(),
        Environment: {
          Variables: {
            LAKE_BUCKET: Match.objectLike({ 'Fn::GetStackOutput': Match.anyValue() }),
            SNOWFLAKE_SECRET_ARN: Match.objectLike({ 'Fn::GetStackOutput': Match.anyValue() }),
            SQL_DIR: '/var/task/sql',
            TRANSFORMATION_STATE_MACHINE_ARN: { Ref: Match.stringLikeRegexp('^TransformationStateMachine') },
            NODE_OPTIONS: '--enable-source-maps',
          },
        },
      });
    });

    it('runs at the configured minute of every hour, and Lambda retries a failed run twice within the hour', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: `cron(${config.loading.scheduleMinute} * * * ? *)`,
        State: 'ENABLED',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [loaderId[0], 'Arn'] } })],
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: loaderId[0] },
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 3600,
      });
    });

    it('may list and read bronze/ only (it reads a file COPY refuses), read the secret, and start and list the transformation runs', () => {
      const policy = Object.values(
        template.findResources('AWS::IAM::Policy', {
          Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^LoadingLoaderFunctionServiceRole') }] },
        }),
      )[0]!;
      const statements = policy.Properties.PolicyDocument.Statement as Record<string, unknown>[];
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: 's3:ListBucket',
          Condition: { StringLike: { 's3:prefix': ['bronze/*'] } },
        }),
      );
      const actions = statements.flatMap((statement) => [statement.Action].flat());
      expect(actions).toEqual(
        expect.arrayContaining(['secretsmanager:GetSecretValue', 'states:StartExecution']),
      );
      expect(actions.filter((action) => String(action).startsWith('s3:')).sort()).toEqual([
        's3:GetBucketLocation',
        's3:GetObject',
        's3:GetObjectVersion',
        's3:ListBucket',
      ]);
      const objectReads = statements.filter((statement) =>
        [statement.Action].flat().includes('s3:GetObject'),
      );
      expect(JSON.stringify(objectReads.map((statement) => statement.Resource))).toMatch(/\/bronze\/\*"/);
      expect(JSON.stringify(objectReads.map((statement) => statement.Resource))).not.toMatch(/quarantine/);
    });
  });

  describe('transformation', () => {
    const definition = definitionOf(template);
    const steps = topLevelSteps(definition);

    it("runs the manifest's waves in order, the models of a wave in parallel, then every data-quality test", () => {
      const waves = planWaves(manifest).map((wave) => wave.map((model) => model.name).sort());
      const modelSteps = steps.filter((step) => step.payloads.some((payload) => payload.kind === 'model'));
      expect(modelSteps.map((step) => step.payloads.map((payload) => payload.model).sort())).toEqual(waves);
      const last = steps.filter((step) => step.tasks.length > 0).at(-1)!;
      expect(last.payloads.map((payload) => payload.test).sort()).toEqual(
        manifest.tests.map((test) => test.name).sort(),
      );
      // Every model after all of its dependencies.
      const position = new Map(
        modelSteps.flatMap((step, index) => step.payloads.map((p) => [p.model, index])),
      );
      for (const model of manifest.models) {
        for (const dependency of model.dependsOn) {
          expect(position.get(dependency)!, `${dependency} before ${model.name}`).toBeLessThan(
            position.get(model.name)!,
          );
        }
      }
    });

    it('passes the run’s fullRefresh to every model, true only when asked for', () => {
      expect(definition.States[definition.StartAt]).toMatchObject({
        Type: 'Pass',
        Output: { fullRefresh: '{% $states.input.fullRefresh = true %}' },
      });
      for (const step of steps)
        for (const payload of step.payloads.filter((p) => p.kind === 'model'))
          expect(payload.fullRefresh).toBe('{% $states.input.fullRefresh %}');
    });

    it("retries a step only for Lambda's service errors and a failed warehouse connection, never a failed SQL or test", () => {
      const tasks = steps.flatMap((step) => step.tasks);
      expect(tasks).toHaveLength(manifest.models.length + manifest.tests.length);
      for (const task of tasks) {
        const retried = task.Retry!.flatMap((retrier) => retrier.ErrorEquals);
        expect(retried.filter((error) => !error.startsWith('Lambda.'))).toEqual(['WarehouseConnectionError']);
        expect(task.Retry!.at(-1)!.MaxAttempts).toBe(config.transformation.connectionRetries);
      }
    });

    it('is a standard state machine with X-Ray tracing, every event logged, and the configured timeout', () => {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      });
      expect(definition).toMatchObject({ TimeoutSeconds: config.transformation.runTimeoutMinutes * 60 });
    });

    it('publishes every failed, timed-out or aborted run to the alarm topic, with its cause', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.states'],
          'detail-type': ['Step Functions Execution Status Change'],
          detail: {
            status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
            stateMachineArn: [{ Ref: Match.stringLikeRegexp('^TransformationStateMachine') }],
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

    it('alarms on loader errors and on failed transformation runs, and has a dashboard', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: Match.anyValue() }],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: Match.arrayWith([Match.objectLike({ Expression: 'failed + timedOut + aborted' })]),
        Threshold: 1,
      });
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
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
