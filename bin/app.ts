import { App } from 'aws-cdk-lib';
import { buildPipelineApp } from '../lib/app/pipeline-app.js';
import { loadPipelineConfig, PipelineConfigError } from '../lib/config/pipeline-config.js';

// The only place that reads configuration: the CDK context (cdk.json, `-c env=prod`).
const app = new App();
try {
  const config = loadPipelineConfig((key) => app.node.tryGetContext(key));
  buildPipelineApp(app, config);
} catch (error) {
  // A configuration mistake is the user's to fix: say what and where, without a stack trace.
  if (!(error instanceof PipelineConfigError)) throw error;
  process.stderr.write(`cdk.json: ${error.message}\n`);
  process.exit(1);
}
app.synth();
