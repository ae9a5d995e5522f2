import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, expect, inject, it } from 'vitest';
import { repositoryRoot } from '../../../local/tooling/cache-dir.js';
import { CLI_PATH } from '../../support/run-cli.js';

describe('spotify-pipeline demo, as a person runs it', () => {
  it('GIVEN --follow WHEN the demo has run THEN it serves the dashboard live at the URL it prints, and on Ctrl-C ends by printing the written page’s path, after an audit that accounts for every record', async () => {
    // Arrange: the demo writes into .cache/demo, as `npm run demo` does; the test's services are reused.
    const demo = spawn(inject('cliNode'), [CLI_PATH, 'demo', '--events', '400', '--follow', '--port', '0'], {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const served = new Promise<string>((resolve, reject) => {
      createInterface({ input: demo.stderr }).on('line', (line) => {
        lines.push(line);
        const url = /^live dashboard: (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(line)?.[1];
        if (url) resolve(url);
      });
      demo.once('close', (code) => reject(new Error(`the demo exited ${code}: ${lines.join('\n')}`)));
    });
    const closed = new Promise<number | null>((resolve) => demo.once('close', resolve));

    try {
      // Act
      const url = await served;
      const page = await fetch(url);
      const data = await fetch(new URL('data.json', url));

      // Assess: the page, and the numbers it asks for while it is open.
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await page.text();
      expect(html).toContain('<script id="dashboard-data" type="application/json">');
      expect(html).toContain("connect-src 'self'");
      expect(data.status).toBe(200);
      const numbers = (await data.json()) as { refreshSeconds: number; gold: { active_users: unknown[] } };
      expect(numbers.refreshSeconds).toBe(5);
      expect(numbers.gold.active_users.length).toBeGreaterThan(0);
      expect((await fetch(new URL('elsewhere', url))).status).toBe(404);
    } finally {
      demo.kill('SIGINT');
    }
    expect(await closed).toBe(0);
    expect(lines).toContain('audit: 400 offsets, 0 unaccounted; 0 records unexplained from the lake to gold');
    const last = /^dashboard: (\/.+\.html) \(\d[\d,]* KiB\): open it in a browser$/.exec(lines.at(-1) ?? '');
    expect(last, lines.join('\n')).not.toBeNull();
    expect(existsSync(last![1]!)).toBe(true);
  });
});
