import { App } from 'aws-cdk-lib';
import { buildPipelineApp } from '../lib/app/pipeline-app.js';
import { loadPipelineConfig } from '../lib/config/pipeline-config.js';

// The only place that reads configuration: the CDK context (cdk.json, `-c env=prod`).
const app = new App();
const config = loadPipelineConfig((key) => app.node.tryGetContext(key));
buildPipelineApp(app, config);
app.synth();
