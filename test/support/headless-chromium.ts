import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { chromiumLaunchArguments, ensureChromium } from '../../local/tooling/chromium.js';

/** Debian's Chromium, installed by the project's script when missing, driven headless. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = await ensureChromium((line) => process.stderr.write(`[chromium] ${line}\n`));
  return puppeteer.launch({ executablePath, headless: true, args: chromiumLaunchArguments() });
}

/** What a page did besides loading `allowedUrl`: every other request (refused), and its errors. */
export interface PageWatch {
  readonly page: Page;
  readonly requestsRefused: string[];
  readonly consoleErrors: string[];
}

/**
 * A page that may load `allowedUrl` (and, when given, what `alsoAllowed` accepts) and nothing
 * else: any other request is refused and recorded, as are console errors and uncaught exceptions.
 */
export async function watchedPage(
  browser: Browser,
  allowedUrl: string,
  alsoAllowed: (url: string) => boolean = () => false,
): Promise<PageWatch> {
  const page = await browser.newPage();
  const requestsRefused: string[] = [];
  const consoleErrors: string[] = [];
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    if (url === allowedUrl || alsoAllowed(url)) void request.continue();
    else {
      requestsRefused.push(url);
      void request.abort();
    }
  });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  return { page, requestsRefused, consoleErrors };
}

/**
 * Share of a canvas's pixels that are painted (not transparent), per chart name (`data-chart`).
 * The functions that run in the page are text: this project's type checking has no DOM types.
 */
export async function paintedShareOfCharts(page: Page): Promise<Record<string, number>> {
  return (await page.evaluate(`(() => {
    const shares = {};
    for (const canvas of document.querySelectorAll('canvas[data-chart]')) {
      const context = canvas.getContext('2d');
      if (context === null || canvas.width === 0 || canvas.height === 0) {
        shares[canvas.dataset.chart] = 0;
        continue;
      }
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let index = 3; index < pixels.length; index += 4) if (pixels[index] > 0) painted++;
      shares[canvas.dataset.chart] = painted / (canvas.width * canvas.height);
    }
    return shares;
  })()`)) as Record<string, number>;
}

/** A number the page shows, with the report cell it says it shows. */
export interface ShownNumber {
  readonly model: string;
  readonly key: string;
  readonly column: string;
  readonly format: string;
  readonly text: string;
}

export async function shownNumbers(page: Page): Promise<ShownNumber[]> {
  return (await page.evaluate(`[...document.querySelectorAll('[data-model]')].map((node) => ({
    model: node.dataset.model,
    key: node.dataset.key,
    column: node.dataset.column,
    format: node.dataset.format,
    text: node.textContent,
  }))`)) as ShownNumber[];
}
