import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { inject } from 'vitest';
import { localS3Credentials } from '../../local/services/endpoints.js';
import { permissionsOfRole, type RolePermissions, type TemplateJson } from './cloudformation-template.js';
import { emfDocumentsIn } from './embedded-metrics.js';
import { aPrivateKeyPem } from './fake-snowflake-server.js';
import { uniqueName } from './local-clients.js';
import { buildPipelineFor } from './pipeline-app.js';

/** A function of the synthesized app, as `cdk deploy` would ship it. */
export interface DeployedFunction {
  /** Its logical id in the stack's template. */
  readonly logicalId: string;
  /** The asset folder: esbuild's bundle (index.js) and, for the warehouse functions, sql/. */
  readonly asset: string;
  /** The environment its template sets, the plain values (ARNs and names are the test's to give). */
  readonly environment: Readonly<Record<string, string>>;
  /** The stack it is in, and what its role may do there, as synthesized. */
  readonly stackName: string;
  readonly permissions: RolePermissions;
}

/** What one invocation of a bundle's handler gave: its result, or its error's name and message. */
export interface Invocation {
  readonly result?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
}

/**
 * The pipeline app for `environmentName`, synthesized as `cdk deploy` would (assets built, asset
 * paths recorded), with its three functions ready to run and every stack's template.
 */
export function synthesizedPipeline(environmentName = 'dev') {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-out-'));
  const built = buildPipelineFor(environmentName, { 'aws:cdk:enable-asset-metadata': true }, { outdir });
  const assembly = built.app.synth();
  const templates: Record<string, TemplateJson> = Object.fromEntries(
    assembly.stacks.map((stack) => [stack.stackName, stack.template as TemplateJson]),
  );
  const deployed = (fn: NodejsFunction): DeployedFunction => {
    const cfn = fn.node.defaultChild as CfnFunction;
    const stack = Stack.of(fn);
    const variables = (stack.resolve(cfn.environment) as { variables?: Record<string, unknown> }).variables;
    return {
      stackName: stack.stackName,
      permissions: permissionsOfRole(
        templates[stack.stackName]!,
        stack.getLogicalId(fn.role!.node.defaultChild as CfnElement),
      ),
      logicalId: stack.getLogicalId(cfn as unknown as CfnElement),
      asset: join(outdir, cfn.cfnOptions.metadata!['aws:asset:path'] as string),
      environment: Object.fromEntries(
        Object.entries(variables ?? {}).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        ),
      ),
    };
  };
  return {
    ...built,
    templates,
    consumer: deployed(built.stacks.ingestion.consumer.function),
    loader: deployed(built.stacks.warehouse.loader.function),
    sqlRunner: deployed(built.stacks.warehouse.sqlRunner.function),
  };
}

/**
 * Runs the bundle's handler once in a fresh Node process, outside this repository's node_modules,
 * with the template's environment, `environment` on top (the local endpoints and names), and
 * SQL_DIR where the bundle put sql/.
 */
export async function invokeBundle(
  fn: DeployedFunction,
  event: unknown,
  environment: Readonly<Record<string, string>>,
): Promise<Invocation> {
  return (await invokeBundlePrinting(fn, event, environment)).invocation;
}

/**
 * {@link invokeBundle}, with the embedded-metric-format documents the handler printed: what
 * CloudWatch would read from the function's log.
 */
export async function invokeBundleForMetrics(
  fn: DeployedFunction,
  event: unknown,
  environment: Readonly<Record<string, string>>,
): Promise<{ readonly invocation: Invocation; readonly metrics: Record<string, unknown>[] }> {
  const { invocation, stdout } = await invokeBundlePrinting(fn, event, environment);
  return { invocation, metrics: emfDocumentsIn(stdout) };
}

function invokeBundlePrinting(
  fn: DeployedFunction,
  event: unknown,
  environment: Readonly<Record<string, string>>,
): Promise<{ readonly invocation: Invocation; readonly stdout: string }> {
  const script = `require(process.argv[1]).handler(JSON.parse(process.argv[2]), { awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 900000 })
    .then((result) => process.stdout.write('\\n' + JSON.stringify({ result })),
          (error) => process.stdout.write('\\n' + JSON.stringify({ error: { name: error.name, message: error.message } })));`;
  return new Promise((resolve, reject) => {
    // On Lambda's Node.js line, not the test runner's.
    const child = spawn(
      inject('deployedNode'),
      ['-e', script, join(fn.asset, 'index.js'), JSON.stringify(event)],
      {
        cwd: tmpdir(),
        env: { PATH: process.env.PATH, ...fn.environment, ...environment, SQL_DIR: join(fn.asset, 'sql') },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', () => {
      // Powertools logs JSON lines to stdout too; the outcome is the last line.
      try {
        resolve({ invocation: JSON.parse(stdout.trim().split('\n').at(-1) ?? ''), stdout });
      } catch {
        reject(new Error(`the bundle printed no outcome: ${stdout}\n${stderr}`));
      }
    });
  });
}

/**
 * What a deployment gives the warehouse functions beyond their template, made here: a Snowflake
 * secret in the Secrets Manager at `awsEndpoint` (logging in to `snowflakeAccessUrl` with a fresh
 * key pair), named by its ARN as the template's reference to it is, and the local endpoints and
 * `credentials` in place of AWS's.
 */
export async function localWarehouseEnvironment(
  awsEndpoint: string,
  snowflakeAccessUrl: string,
  credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } = localS3Credentials,
): Promise<Record<string, string>> {
  const created = await new SecretsManagerClient({
    endpoint: awsEndpoint,
    region: 'us-east-1',
    credentials,
  }).send(
    new CreateSecretCommand({
      Name: uniqueName('snowflake'),
      SecretString: JSON.stringify({
        account: 'org-acct',
        user: 'SPOTIFY_PIPELINE',
        private_key: aPrivateKeyPem(),
        warehouse: 'WH',
        database: 'SPOTIFY',
        role: 'SPOTIFY_PIPELINE',
        access_url: snowflakeAccessUrl,
      }),
    }),
  );
  return {
    SNOWFLAKE_SECRET_ARN: created.ARN!,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: awsEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}
