import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { afterAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '../../../local/tooling/cache-dir.js';
import { flatten, permissionsOfRole, type TemplateJson } from '../../support/cloudformation-template.js';
import { buildPipelineFor } from '../../support/pipeline-app.js';
import {
  actionsNotAllowed,
  awsCallsInBundle,
  type BundledAwsCall,
  iamActionsOfCall,
  iamActionsOfIntegration,
  isNeverMade,
  taskResources,
} from './iam-follows-code.js';

// GIVEN the dev app synthesized as `cdk deploy` would, each function's asset folder recorded
const outdir = mkdtempSync(join(tmpdir(), 'iam-follows-code-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));
const { app } = buildPipelineFor('dev', { 'aws:cdk:enable-asset-metadata': true }, { outdir });
const assembly = app.synth();
const templateOf = (construct: StateMachine | NodejsFunction): TemplateJson =>
  assembly.getStackByName(Stack.of(construct).stackName).template;
const logicalIdOf = (element: CfnElement) => Stack.of(element).getLogicalId(element);

const functions = app.node.findAll().filter((construct) => construct instanceof NodejsFunction);
const stateMachines = app.node.findAll().filter((construct) => construct instanceof StateMachine);

/** The AWS calls of a function's bundle, each with the IAM actions it needs. */
function callsOf(fn: NodejsFunction): { call: BundledAwsCall; actions: readonly string[] }[] {
  const assetPath = (fn.node.defaultChild as CfnFunction).cfnOptions.metadata?.['aws:asset:path'];
  if (typeof assetPath !== 'string') throw new Error(`${fn.node.path} has no aws:asset:path metadata`);
  return awsCallsInBundle(join(outdir, assetPath), repositoryRoot)
    .filter((call) => !isNeverMade(call))
    .map((call) => ({ call, actions: iamActionsOfCall(call) }));
}

describe('IAM follows the code', () => {
  it('GIVEN the app THEN it has the three pipeline functions and the pipeline-run state machine to check', () => {
    expect(functions.map((fn) => fn.node.path).sort()).toEqual([
      'SpotifyPipeline-dev-Ingestion/Consumer/Function',
      'SpotifyPipeline-dev-Warehouse/Loading/Loader/Function',
      'SpotifyPipeline-dev-Warehouse/Transformation/SqlRunner/Function',
    ]);
    expect(stateMachines.map((machine) => machine.node.path)).toEqual([
      'SpotifyPipeline-dev-Warehouse/PipelineRun/StateMachine',
    ]);
  });

  it('GIVEN the bundles WHEN their calls are read THEN the calls each handler is known to make are found (an empty result cannot pass for a clean one)', () => {
    const found = (path: string) =>
      callsOf(functions.find((fn) => fn.node.path.endsWith(path))!).map(
        ({ call }) => `${call.client} ${call.operation} (${call.source})`,
      );
    expect(found('Loading/Loader/Function')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^@aws-sdk\/client-s3 ListObjectsV2 \(lambdas\/loader\//),
        '@aws-sdk/client-secrets-manager GetSecretValue (lambdas/shared/warehouse/snowflake-settings.ts)',
      ]),
    );
    expect(found('Consumer/Function')).toEqual(
      expect.arrayContaining([
        '@aws-sdk/client-s3 PutObject (lambdas/consumer/lake-object-writer.ts)',
        '@aws-sdk/client-s3 ListObjectsV2 (lambdas/consumer/lake-object-writer.ts)',
      ]),
    );
    expect(found('SqlRunner/Function')).toContain(
      '@aws-sdk/client-secrets-manager GetSecretValue (lambdas/shared/warehouse/snowflake-settings.ts)',
    );
  });

  // Every call a bundle can make, also on paths no test reaches (an error branch, a retry): the
  // one run under enforced IAM sees only the calls its run made.
  it.each(
    functions.map((fn) => [fn.node.path, fn] as const),
  )('GIVEN the function %s WHEN its bundle can call AWS THEN its role allows every call', (path, fn) => {
    const role = fn.role?.node.defaultChild as CfnElement;
    const permissions = permissionsOfRole(templateOf(fn), logicalIdOf(role));
    const notAllowed = callsOf(fn).flatMap(({ call, actions }) =>
      actionsNotAllowed(permissions, actions).map(
        (action) => `${path} needs ${action} for ${call.client} ${call.operation} in ${call.source}`,
      ),
    );
    expect(notAllowed).toEqual([]);
  });

  it.each(
    stateMachines.map((machine) => [machine.node.path, machine] as const),
  )('GIVEN the state machine %s WHEN its definition integrates services THEN its role allows every integration', (path, machine) => {
    const template = templateOf(machine);
    const stateMachineId = logicalIdOf(machine.node.defaultChild as CfnElement);
    const definition = JSON.parse(flatten(template.Resources[stateMachineId]!.Properties!.DefinitionString));
    const resources = [...new Set(taskResources(definition))].sort();
    expect(resources).toEqual([
      'arn:<AWS::Partition>:states:::aws-sdk:sfn:describeExecution',
      'arn:<AWS::Partition>:states:::dynamodb:deleteItem',
      'arn:<AWS::Partition>:states:::dynamodb:getItem',
      'arn:<AWS::Partition>:states:::dynamodb:putItem',
      'arn:<AWS::Partition>:states:::lambda:invoke',
      'arn:<AWS::Partition>:states:::sns:publish',
    ]);
    const permissions = permissionsOfRole(
      template,
      logicalIdOf(machine.role.node.defaultChild as CfnElement),
    );
    const notAllowed = resources.flatMap((resource) =>
      actionsNotAllowed(permissions, iamActionsOfIntegration(resource)).map(
        (action) => `${path} needs ${action} for ${resource}`,
      ),
    );
    expect(notAllowed).toEqual([]);
  });
});

describe('the IAM-follows-code checker', () => {
  /** A template with one role and one policy of `statements` attached to it. */
  const templateWith = (statements: object[]): TemplateJson => ({
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: {} },
      Policy: {
        Type: 'AWS::IAM::Policy',
        Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: statements } },
      },
    },
  });

  it('GIVEN a role lacking an action the code needs WHEN checked THEN it names that action, and only it', () => {
    // GIVEN
    const permissions = permissionsOfRole(
      templateWith([{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' }]),
      'Role',
    );

    // WHEN
    const notAllowed = actionsNotAllowed(permissions, [
      's3:GetObject',
      'states:StartExecution',
      's3:ListBucket',
    ]);

    // THEN
    expect(notAllowed).toEqual(['states:StartExecution']);
  });

  it("GIVEN wildcard actions, a Deny, and another service's resource THEN only an Allow whose resource may be the action's service counts", () => {
    const permissions = permissionsOfRole(
      templateWith([
        {
          Effect: 'Allow',
          Action: 's3:Get*',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] },
        },
        { Effect: 'Deny', Action: 'states:*', Resource: '*' },
        {
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':dynamodb:', { Ref: 'AWS::Region' }, ':table/x'],
            ],
          },
        },
      ]),
      'Role',
    );
    expect(
      actionsNotAllowed(permissions, [
        's3:GetObject',
        'S3:getobjectversion',
        'states:ListExecutions',
        'lambda:InvokeFunction',
      ]),
    ).toEqual(['states:ListExecutions', 'lambda:InvokeFunction']);
  });

  it('GIVEN the AWS-managed basic execution policy THEN the log actions it grants count', () => {
    const template: TemplateJson = {
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            ManagedPolicyArns: [
              {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
                  ],
                ],
              },
            ],
          },
        },
      },
    };
    expect(
      actionsNotAllowed(permissionsOfRole(template, 'Role'), ['logs:PutLogEvents', 'logs:DeleteLogGroup']),
    ).toEqual(['logs:DeleteLogGroup']);
  });

  it('GIVEN an operation or an integration the tables lack THEN it fails, saying to add it', () => {
    expect(() =>
      iamActionsOfCall({
        client: '@aws-sdk/client-s3',
        operation: 'PutBucketPolicy',
        source: 'lambdas/x.ts',
      }),
    ).toThrow(
      /lambdas\/x\.ts calls @aws-sdk\/client-s3 PutBucketPolicy, which IAM_ACTIONS_OF_SDK_OPERATIONS .* does not list: add it/,
    );
    expect(() => iamActionsOfIntegration('arn:<AWS::Partition>:states:::aws-sdk:s3:listObjectsV2')).toThrow(
      /aws-sdk:s3:listObjectsV2 is not in IAM_ACTIONS_OF_INTEGRATIONS .*: add it/,
    );
    expect(iamActionsOfIntegration('arn:<AWS::Partition>:states:::lambda:invoke.waitForTaskToken')).toEqual([
      'lambda:InvokeFunction',
    ]);
  });

  it("GIVEN snowflake-sdk's workload-identity STS calls THEN they are passed over, but the same calls from the project's code are not", () => {
    const call = { client: '@aws-sdk/client-sts', operation: 'AssumeRole' };
    expect(isNeverMade({ ...call, source: 'node_modules/snowflake-sdk/lib/authentication/aws.ts' })).toBe(
      true,
    );
    expect(isNeverMade({ ...call, source: 'lambdas/loader/handler.ts' })).toBe(false);
    expect(
      isNeverMade({ ...call, operation: 'GetSecretValue', source: 'node_modules/snowflake-sdk/lib/x.ts' }),
    ).toBe(false);
  });
});
