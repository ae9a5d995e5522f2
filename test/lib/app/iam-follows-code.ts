import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { flatten, type RolePermissions } from '../../support/cloudformation-template.js';
import { statementNamesAction } from '../../support/iam-statements.js';

/**
 * What the IAM-follows-code test checks: that every AWS call a function's deployed bundle can make,
 * and every service integration of a state machine, is allowed by some statement of the role it
 * runs with, including calls on paths a test does not reach. Only actions are matched. It does NOT
 * check (test/lib/app/bundles-under-enforced-iam.integration.test.ts runs the bundles under their
 * roles for the first two):
 * - resources beyond "not obviously another service's" (a statement on `.../bronze/*` allows an
 *   s3:GetObject the code makes under `arrivals/`), conditions (an s3:prefix condition may still
 *   deny the listing the code makes), Deny statements, permission boundaries, resource policies or
 *   service control policies;
 * - calls made through an aggregated client (`new S3().putObject(...)`) or through a command class
 *   imported under another name: it finds `new <module>.<Operation>Command(`, which is how esbuild
 *   renders `client.send(new XCommand(...))` from the AWS SDK's CommonJS build, the only style the
 *   project's handlers use;
 * - permissions used by an event source mapping (Lambda's pollers) or by a library with credentials
 *   of its own (snowflake-sdk's stage uploads use Snowflake's), which are not the role's calls.
 */

/** An AWS SDK v3 call that a bundle can make, and where in the original sources it is. */
export interface BundledAwsCall {
  /** The client package, e.g. `@aws-sdk/client-s3`. */
  readonly client: string;
  /** The operation, e.g. `ListObjectsV2`. */
  readonly operation: string;
  /** The original file: a repository path (`lambdas/loader/handler.ts`) or `node_modules/<package>/...`. */
  readonly source: string;
}

/**
 * Every `new <module>.<Operation>Command(` in a bundle's `index.js`, traced through its source map
 * to the original file, whose imports say which client the command comes from.
 *
 * Why not the commands' own string literals: the project bundles to CommonJS, and esbuild then takes
 * each client's CommonJS build whole, every command of it (the loader's bundle defines about 190),
 * so what a bundle defines says nothing about what its code calls. The call sites do.
 */
export function awsCallsInBundle(bundleDirectory: string, repositoryRoot: string): BundledAwsCall[] {
  const code = readFileSync(join(bundleDirectory, 'index.js'), 'utf8');
  const payload = JSON.parse(
    readFileSync(join(bundleDirectory, 'index.js.map'), 'utf8'),
  ) as SourceMapPayload & {
    sourcesContent?: (string | null)[];
  };
  const sourceMap = new SourceMap(payload);
  const calls: BundledAwsCall[] = [];
  for (const [lineNumber, line] of code.split('\n').entries()) {
    for (const match of line.matchAll(/new [A-Za-z_$][\w$]*\.([A-Z][A-Za-z0-9]*)Command\(/g)) {
      const operation = match[1]!;
      const entry = sourceMap.findEntry(lineNumber, match.index);
      const originalSource = 'originalSource' in entry ? entry.originalSource : undefined;
      if (originalSource === undefined) {
        throw new Error(
          `${bundleDirectory}/index.js:${lineNumber + 1}: new ${operation}Command has no original source in the source map`,
        );
      }
      const sourceIndex = payload.sources.indexOf(originalSource);
      const content = payload.sourcesContent?.[sourceIndex] ?? null;
      const source = readablePath(originalSource, bundleDirectory, repositoryRoot);
      calls.push({ client: clientOf(operation, content, source), operation, source });
    }
  }
  return calls;
}

/** `node_modules/<package>/...` for a dependency, the path from the repository root otherwise. */
function readablePath(originalSource: string, bundleDirectory: string, repositoryRoot: string): string {
  const normalised = originalSource.replace(/^file:\/\//, '');
  const inDependency = normalised.lastIndexOf('node_modules/');
  if (inDependency >= 0) return normalised.slice(inDependency);
  // esbuild writes sources relative to the bundle's folder, which CDK renames but does not move.
  const absolute = isAbsolute(normalised) ? normalised : resolve(bundleDirectory, normalised);
  const fromRoot = relative(repositoryRoot, absolute);
  if (fromRoot.startsWith('..'))
    throw new Error(`${bundleDirectory}: source ${originalSource} is outside ${repositoryRoot}`);
  return fromRoot.split(sep).join('/');
}

/**
 * The `@aws-sdk/client-*` package the file takes `<operation>Command` from. A dependency that ships
 * its own source maps without their sources (snowflake-sdk) leaves no content to read: then it is
 * the one client that {@link IAM_ACTIONS_OF_SDK_OPERATIONS} lists the operation under, if only one.
 */
function clientOf(operation: string, content: string | null, source: string): string {
  if (content === null) {
    const listing = Object.keys(IAM_ACTIONS_OF_SDK_OPERATIONS).filter(
      (client) => IAM_ACTIONS_OF_SDK_OPERATIONS[client]![operation] !== undefined,
    );
    if (listing.length === 1) return listing[0]!;
    throw new Error(
      `${source}: the source map has no content to tell which AWS SDK client ${operation}Command comes from, and IAM_ACTIONS_OF_SDK_OPERATIONS lists it under ${listing.length === 0 ? 'none' : listing.join(', ')}: add it under its client`,
    );
  }
  const importing = [
    ...content.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"](@aws-sdk\/client-[a-z0-9-]+)['"]/g),
  ].find((match) => new RegExp(`\\b${operation}Command\\b`).test(match[1]!));
  if (importing !== undefined) return importing[2]!;
  const clients = new Set([...content.matchAll(/['"](@aws-sdk\/client-[a-z0-9-]+)['"]/g)].map((m) => m[1]!));
  if (clients.size === 1) return [...clients][0]!;
  throw new Error(
    `${source}: cannot tell which AWS SDK client ${operation}Command comes from (it names ${clients.size === 0 ? 'none' : [...clients].join(', ')}); import it by name from its @aws-sdk/client-* package`,
  );
}

/**
 * The IAM actions each AWS SDK operation needs, per client package. Written out rather than
 * derived: the operation's name is not always the action's (ListObjectsV2 is s3:ListBucket,
 * HeadObject is s3:GetObject), and a new call must be looked at by someone.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
export const IAM_ACTIONS_OF_SDK_OPERATIONS: Readonly<
  Record<string, Readonly<Record<string, readonly string[]>>>
> = {
  '@aws-sdk/client-s3': {
    ListObjectsV2: ['s3:ListBucket'],
    ListObjectVersions: ['s3:ListBucketVersions'],
    GetObject: ['s3:GetObject'],
    HeadObject: ['s3:GetObject'],
    PutObject: ['s3:PutObject'],
    CopyObject: ['s3:GetObject', 's3:PutObject'],
    DeleteObject: ['s3:DeleteObject'],
    DeleteObjects: ['s3:DeleteObject'],
    GetBucketLocation: ['s3:GetBucketLocation'],
  },
  '@aws-sdk/client-secrets-manager': {
    GetSecretValue: ['secretsmanager:GetSecretValue'],
    DescribeSecret: ['secretsmanager:DescribeSecret'],
  },
  '@aws-sdk/client-sfn': {
    StartExecution: ['states:StartExecution'],
    ListExecutions: ['states:ListExecutions'],
    DescribeExecution: ['states:DescribeExecution'],
  },
  '@aws-sdk/client-dynamodb': {
    GetItem: ['dynamodb:GetItem'],
    PutItem: ['dynamodb:PutItem'],
    UpdateItem: ['dynamodb:UpdateItem'],
    DeleteItem: ['dynamodb:DeleteItem'],
  },
  '@aws-sdk/client-sts': {
    // STS documents that GetCallerIdentity needs no permission (and no policy can deny it).
    GetCallerIdentity: [],
    AssumeRole: ['sts:AssumeRole'],
    GetWebIdentityToken: ['sts:GetWebIdentityToken'],
  },
};

/**
 * Calls that a dependency's bundled code contains but the functions never make, each with why.
 * Matched on the dependency, the client and the operation, so the same call from the project's own
 * code is still checked.
 */
export const CALLS_NEVER_MADE: readonly {
  readonly dependency: string;
  readonly client: string;
  readonly operations: readonly string[];
  readonly why: string;
}[] = [
  {
    dependency: 'snowflake-sdk',
    client: '@aws-sdk/client-sts',
    operations: ['AssumeRole', 'GetWebIdentityToken'],
    why: "snowflake-sdk's WORKLOAD_IDENTITY authenticator on AWS: the functions log in with a key pair (SNOWFLAKE_JWT), read from their secret",
  },
];

/** Whether `call` is one of {@link CALLS_NEVER_MADE}. */
export function isNeverMade(call: BundledAwsCall): boolean {
  return CALLS_NEVER_MADE.some(
    (never) =>
      call.source.startsWith(`node_modules/${never.dependency}/`) &&
      call.client === never.client &&
      never.operations.includes(call.operation),
  );
}

/** The IAM actions `call` needs; throws, saying what to add, for an operation the table lacks. */
export function iamActionsOfCall(call: BundledAwsCall): readonly string[] {
  const actions = IAM_ACTIONS_OF_SDK_OPERATIONS[call.client]?.[call.operation];
  if (actions === undefined) {
    throw new Error(
      `${call.source} calls ${call.client} ${call.operation}, which IAM_ACTIONS_OF_SDK_OPERATIONS (test/lib/app/iam-follows-code.ts) does not list: add it with the IAM action(s) it needs`,
    );
  }
  return actions;
}

/**
 * The IAM actions each Step Functions service integration needs, by its resource after
 * `arn:<partition>:states:::` (without `.sync` or `.waitForTaskToken`).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-integration-iam-templates.html
 */
export const IAM_ACTIONS_OF_INTEGRATIONS: Readonly<Record<string, readonly string[]>> = {
  'lambda:invoke': ['lambda:InvokeFunction'],
  'dynamodb:putItem': ['dynamodb:PutItem'],
  'dynamodb:getItem': ['dynamodb:GetItem'],
  'dynamodb:updateItem': ['dynamodb:UpdateItem'],
  'dynamodb:deleteItem': ['dynamodb:DeleteItem'],
  'sns:publish': ['sns:Publish'],
  'states:startExecution': ['states:StartExecution'],
  'aws-sdk:sfn:describeExecution': ['states:DescribeExecution'],
};

/** The IAM actions a Task state's `Resource` needs; throws, saying what to add, for one the table lacks. */
export function iamActionsOfIntegration(resource: string): readonly string[] {
  const integration = /^arn:(?:<[^>]*>|[^:])*:states:::(.+?)(\.sync(:2)?|\.waitForTaskToken)?$/.exec(
    resource,
  )?.[1];
  const actions = integration === undefined ? undefined : IAM_ACTIONS_OF_INTEGRATIONS[integration];
  if (actions === undefined) {
    throw new Error(
      `a Task state's resource ${resource} is not in IAM_ACTIONS_OF_INTEGRATIONS (test/lib/app/iam-follows-code.ts): add it with the IAM action(s) it needs`,
    );
  }
  return actions;
}

/** The actions of the AWS-managed policies the pipeline's roles use, that its code may rely on. */
const MANAGED_POLICY_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  AWSLambdaBasicExecutionRole: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
};

/**
 * The actions of `required` that no Allow statement of the role grants (action matched with IAM's
 * wildcards, case-insensitively, on a statement whose resource is not obviously another service's).
 */
export function actionsNotAllowed(permissions: RolePermissions, required: readonly string[]): string[] {
  const managed = permissions.managedPolicies.flatMap((name) => MANAGED_POLICY_ACTIONS[name] ?? []);
  return [...new Set(required)].filter(
    (action) =>
      !managed.includes(action) &&
      !permissions.statements.some(
        (statement) =>
          statement.Effect === 'Allow' &&
          statementNamesAction(statement, action) &&
          resourcesMayBeOf(statement.Resource, action.split(':')[0]!),
      ),
  );
}

/** False only when every resource is an ARN that names another service outright. */
function resourcesMayBeOf(resource: unknown, service: string): boolean {
  return [resource ?? '*'].flat().some((each) => {
    const [arn, , arnService] = arnFields(flatten(each));
    return arn !== 'arn' || arnService === undefined || arnService.includes('<') || arnService === service;
  });
}

/** An ARN's colon-separated fields, a `<placeholder>` (which may hold colons) kept whole. */
function arnFields(arn: string): string[] {
  const fields = [''];
  let inPlaceholder = false;
  for (const character of arn) {
    if (character === '<') inPlaceholder = true;
    if (character === '>') inPlaceholder = false;
    if (character === ':' && !inPlaceholder) fields.push('');
    else fields[fields.length - 1] += character;
  }
  return fields;
}

/** The `Resource` of every Task state of a definition, those in Parallel branches and Maps too. */
export function taskResources(definition: unknown): string[] {
  const graph = definition as { States?: Record<string, Record<string, unknown>> };
  return Object.values(graph.States ?? {}).flatMap((state) => [
    ...(state.Type === 'Task' ? [String(state.Resource)] : []),
    ...((state.Branches as unknown[] | undefined) ?? []).flatMap(taskResources),
    ...[state.ItemProcessor, state.Iterator].filter((inner) => inner !== undefined).flatMap(taskResources),
  ]);
}
