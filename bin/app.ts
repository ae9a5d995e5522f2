import { App, Stack } from 'aws-cdk-lib';
import { LakeStorage } from '../lib/lake-storage.js';

// Environment-agnostic on purpose: synth must work offline, with no AWS credentials.
const app = new App();
const stateful = new Stack(app, 'SpotifyPipelineStateful', {
  description: 'Spotify streaming pipeline: stateful resources (the data lake).',
});
new LakeStorage(stateful, 'Lake');
app.synth();
