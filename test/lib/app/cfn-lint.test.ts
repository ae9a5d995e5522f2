import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ensurePythonTool } from '../../../local/tooling/python-tool.js';
import { buildPipelineFor } from '../../support/pipeline-app.js';

const run = promisify(execFile);

/** cfn-lint from PyPI, pinned; installed once into .cache/venvs/cfn-lint. */
const CFN_LINT = { name: 'cfn-lint', requirements: ['cfn-lint==1.58.0'] } as const;

/**
 * Checks cfn-lint skips, each with the reason. W3005 (redundant DependsOn) fires only on the
 * handler of aws-cdk-lib's own VpcRestrictDefaultSG custom resource provider, which this project
 * does not write and cannot change.
 */
const IGNORED_CHECKS = ['W3005'];

/** One cfn-lint finding, as its JSON formatter prints it. */
interface CfnLintMatch {
  readonly Level: string;
  readonly Rule: { readonly Id: string };
  readonly Message: string;
  readonly Filename: string;
}

const outdirs: string[] = [];
afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

/** Synthesizes the app as bin/app.ts builds it into a temporary directory; returns its templates. */
function synthesizeTemplates(environmentName: string): string[] {
  const outdir = mkdtempSync(join(tmpdir(), `cfn-lint-${environmentName}-`));
  outdirs.push(outdir);
  const { app } = buildPipelineFor(environmentName, {}, { outdir });
  app.synth();
  return readdirSync(outdir)
    .filter((file) => file.endsWith('.template.json'))
    .map((file) => join(outdir, file));
}

describe('cfn-lint', () => {
  it('finds nothing in any synthesized template of dev and prod', { timeout: 600_000 }, async () => {
    // GIVEN every template of both environments
    const templates = [...synthesizeTemplates('dev'), ...synthesizeTemplates('prod')];
    expect(templates).toHaveLength(8);
    const bin = await ensurePythonTool(CFN_LINT);

    // WHEN cfn-lint checks them (it exits non-zero when it finds anything, so read its output either way)
    const output = await run(
      join(bin, 'cfn-lint'),
      ['--format', 'json', '--ignore-checks', ...IGNORED_CHECKS, '--', ...templates],
      { maxBuffer: 64 * 1024 * 1024 },
    ).then(
      (result) => result.stdout,
      (error: unknown) => {
        const stdout = (error as { stdout?: unknown }).stdout;
        if (typeof stdout !== 'string' || stdout.trim() === '') throw error;
        return stdout;
      },
    );
    const findings = (JSON.parse(output.trim() || '[]') as CfnLintMatch[]).map(
      (match) => `${match.Level} ${match.Rule.Id} ${match.Filename}: ${match.Message}`,
    );

    // THEN there are no errors, and no warnings beyond the documented ignores
    expect(findings).toEqual([]);
  });
});
