import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cdkJsonContext } from '../support/pipeline-app.js';

const APP = fileURLToPath(new URL('../../bin/app.ts', import.meta.url));

/** Runs bin/app.ts as the CDK CLI does, with the context the CLI would pass. */
function runApp(context: Record<string, unknown>) {
  return spawnSync(process.execPath, ['--import', 'tsx', APP], {
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context) },
    encoding: 'utf8',
  });
}

describe('bin/app.ts', () => {
  it('GIVEN -c destroyOnRemoval=true for prod, which must be retained WHEN synthesized THEN it exits 1 with the reason and the fix, and no stack trace', () => {
    const run = runApp({ ...cdkJsonContext(), env: 'prod', destroyOnRemoval: 'true' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'cdk.json: context.destroyOnRemoval is true but environments.prod.allowDestroyOnRemoval is not',
    );
    expect(run.stderr).toContain('Drop -c destroyOnRemoval=true');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('GIVEN an environment cdk.json does not define WHEN synthesized THEN it names the ones it does', () => {
    const run = runApp({ ...cdkJsonContext(), env: 'staging' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'context.env is "staging", which names no environment: use one of dev, prod',
    );
  });
});
