import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DashboardData } from './dashboard-model.js';
import { inlineJson, renderDashboardHtml } from './render-dashboard.js';

/** The live dashboard: the page at `/`, its newest numbers at `/data.json`, on the loopback address only. */
export interface DashboardServer {
  readonly url: string;
  /** The numbers the next request gets; open pages pick them up at their next refresh. */
  update(data: DashboardData): void;
  close(): Promise<void>;
}

/** The port is taken, or not one this process may bind. */
export class DashboardPortError extends Error {
  override readonly name = 'DashboardPortError';
}

/**
 * Serves the dashboard on 127.0.0.1 (never another interface: the numbers are the team's). The page
 * is rendered from the current numbers on each request, so a reload shows the newest at once.
 */
export async function serveDashboard(port: number, initial: DashboardData): Promise<DashboardServer> {
  let current = initial;
  const server = createServer((request, response) => {
    void answer(request, response, current).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(
        `the dashboard could not be drawn: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new DashboardPortError(
          error.code === 'EADDRINUSE'
            ? `port ${port} on 127.0.0.1 is already in use`
            : `cannot listen on 127.0.0.1:${port}: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    update(data) {
      current = data;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  data: DashboardData,
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
    response.end('the dashboard only answers GET\n');
    return;
  }
  const common = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
  if (path === '/' || path === '/index.html') {
    const html = await renderDashboardHtml(data);
    response.writeHead(200, { ...common, 'Content-Type': 'text/html; charset=utf-8' });
    response.end(request.method === 'HEAD' ? undefined : html);
    return;
  }
  if (path === '/data.json') {
    response.writeHead(200, { ...common, 'Content-Type': 'application/json' });
    response.end(request.method === 'HEAD' ? undefined : inlineJson(data));
    return;
  }
  response.writeHead(404, { ...common, 'Content-Type': 'text/plain; charset=utf-8' });
  response.end('not here: the dashboard is at /\n');
}
