import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { DashboardData } from './dashboard-model.js';

const PAGE_SCRIPT = fileURLToPath(new URL('page/dashboard-page.ts', import.meta.url));
const PAGE_STYLE = fileURLToPath(new URL('page/dashboard.css', import.meta.url));

let bundled: Promise<string> | undefined;

/**
 * The page's script with Chart.js, as one minified script: bundled once per process from the
 * TypeScript source (the CLI runs from source, as everything else here does). Chart.js's licence
 * comment stays in the bundle, as its MIT licence asks.
 */
function pageScript(): Promise<string> {
  bundled ??= build({
    entryPoints: [PAGE_SCRIPT],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'inline',
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]!.text);
  return bundled;
}

/**
 * One self-contained HTML page: its style, script and numbers inline. The content security policy
 * lets the page fetch nothing at all, or, when served live, only `data.json` from where it came.
 */
export async function renderDashboardHtml(data: DashboardData): Promise<string> {
  const script = await pageScript();
  const connect = data.refreshSeconds === null ? "'none'" : "'self'";
  const policy = `default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src ${connect}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<title>Listening pipeline: KPIs and health</title>
<style>${readFileSync(PAGE_STYLE, 'utf8')}</style>
</head>
<body>
<header>
<h1>Listening pipeline: KPIs and health</h1>
<p data-status>${escapeHtml(data.source)} · read ${escapeHtml(data.generatedAt)}</p>
</header>
<main><noscript>The charts need JavaScript; the numbers are in the JSON below and in spotify-pipeline report.</noscript></main>
<script id="dashboard-data" type="application/json">${inlineJson(data)}</script>
<script>${script.replaceAll('</script', '<\\/script')}</script>
</body>
</html>
`;
}

/** JSON that cannot end the script element it sits in, whatever a song name holds. */
export function inlineJson(data: unknown): string {
  return JSON.stringify(data)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
