import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat } from 'aws-cdk-lib/aws-lambda';
import {
  type BundlingOptions,
  type NodejsFunction,
  type NodejsFunctionProps,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { PIPELINE_LAMBDA_RUNTIME, PIPELINE_NODE_MAJOR } from './pipeline-node-version.js';
import { REPOSITORY_ROOT } from './repository-root.js';

/**
 * What every function of the pipeline shares: `lambdas/<deployable>/handler.ts` exporting
 * `handler`, bundled from this repository with its lock file, ARM64 on the pipeline's Node.js line
 * (pipeline-node-version.ts), logging JSON.
 *
 * @param entry the handler's file, relative to the repository root
 */
export function pipelineFunctionDefaults(
  entry: string,
): Pick<
  NodejsFunctionProps,
  'entry' | 'handler' | 'projectRoot' | 'depsLockFilePath' | 'runtime' | 'architecture' | 'loggingFormat'
> {
  return {
    entry: join(REPOSITORY_ROOT, entry),
    handler: 'handler',
    projectRoot: REPOSITORY_ROOT,
    depsLockFilePath: join(REPOSITORY_ROOT, 'package-lock.json'),
    runtime: PIPELINE_LAMBDA_RUNTIME,
    architecture: Architecture.ARM_64,
    loggingFormat: LoggingFormat.JSON,
  };
}

/** esbuild, locally (no Docker, no network at synth), into one minified CommonJS file with a source map. */
export const PIPELINE_BUNDLING: BundlingOptions = {
  format: OutputFormat.CJS,
  target: `node${PIPELINE_NODE_MAJOR}`,
  minify: true,
  sourceMap: true,
  // The pinned AWS SDK clients are bundled, not the runtime's: the version tested is the one that
  // runs (the consumer relies on S3's conditional writes).
  externalModules: [],
};

/**
 * Acknowledges cdk-nag's findings that every pipeline function raises by design: the runtime
 * choice (L1) and the AWS-managed policies CDK attaches to its role (IAM4), each with the purpose
 * Lambda documents for it.
 *
 * @param managedPolicies policy name -> what Lambda uses it for
 */
export function acknowledgeFunctionDefaults(
  fn: NodejsFunction,
  managedPolicies: Record<string, string>,
): void {
  const role: IRole | undefined = fn.role;
  if (role === undefined) throw new Error(`${fn.node.path}: the function has no role`);
  for (const [policy, purpose] of Object.entries(managedPolicies)) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}]`,
      reason: `The AWS-managed ${policy} is what Lambda documents for ${purpose}; CDK attaches it, and AWS keeps it current with the service.`,
    });
  }
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason: `Node.js ${PIPELINE_NODE_MAJOR} is chosen on purpose: the current LTS line, the one the bundles are tested on; move to the next LTS together with the producer image and the tests (pipeline-node-version.ts).`,
  });
}
