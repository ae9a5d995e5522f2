import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type AppProps } from 'aws-cdk-lib';
import { buildPipelineApp, type PipelineStacks } from '../../lib/app/pipeline-app.js';
import { loadPipelineConfig, type PipelineConfig } from '../../lib/config/pipeline-config.js';
import { repositoryRoot } from '../../local/tooling/cache-dir.js';

/** The `context` block of the repository's cdk.json: feature flags and the environments. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson: unknown = JSON.parse(readFileSync(join(repositoryRoot, 'cdk.json'), 'utf8'));
  if (typeof cdkJson !== 'object' || cdkJson === null || !('context' in cdkJson)) {
    throw new Error('cdk.json has no "context" block');
  }
  return cdkJson.context as Record<string, unknown>;
}

/**
 * An empty app with the project's feature flags from cdk.json, so that construct tests render what
 * the real app renders (several flags change defaults, e.g. how S3 access logging is authorised).
 */
export function appWithProjectFlags(): App {
  const featureFlags = Object.fromEntries(
    Object.entries(cdkJsonContext()).filter(([key]) => key.startsWith('@aws-cdk')),
  );
  return new App({ context: featureFlags });
}

/** The app exactly as `bin/app.ts` builds it, for one environment of cdk.json. */
export interface BuiltPipeline {
  readonly app: App;
  readonly config: PipelineConfig;
  readonly stacks: PipelineStacks;
}

/** Builds the app the way `bin/app.ts` does, with cdk.json's context plus `extraContext`. */
export function buildPipelineFor(
  environmentName: string,
  extraContext: Record<string, unknown> = {},
  appProps: AppProps = {},
): BuiltPipeline {
  const app = new App({
    ...appProps,
    context: { ...cdkJsonContext(), env: environmentName, ...extraContext },
  });
  const config = loadPipelineConfig((key) => app.node.tryGetContext(key));
  const stacks = buildPipelineApp(app, config);
  return { app, config, stacks };
}
