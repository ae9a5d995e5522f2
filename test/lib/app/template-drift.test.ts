import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildPipelineFor } from '../../support/pipeline-app.js';

// Snapshots only catch unintended drift of whole templates; what each resource must look like is
// asserted property by property in the construct and stack tests. After an intended change, review
// the diff and run `npx vitest run -u test/lib/app/template-drift.test.ts`.
describe('template drift', () => {
  it('the dev network stack matches its snapshot', () => {
    const { stacks } = buildPipelineFor('dev');
    expect(Template.fromStack(stacks.network).toJSON()).toMatchSnapshot();
  });

  it('the prod stateful stack matches its snapshot', () => {
    const { stacks } = buildPipelineFor('prod');
    expect(Template.fromStack(stacks.stateful).toJSON()).toMatchSnapshot();
  });
});
