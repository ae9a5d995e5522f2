import { join } from 'node:path';
import { ListBucketsCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { cacheDir } from '../tooling/cache-dir.js';
import { ensurePythonTool } from '../tooling/python-tool.js';
import { localS3Credentials, loopbackHost, s3EndpointForPort } from './endpoints.js';
import { LocalServiceError } from './local-service-error.js';
import {
  isPortAcceptingConnections,
  type ServiceStart,
  type StopOutcome,
  startRecordedService,
  stopRecordedProcess,
  waitUntilServiceAnswers,
} from './process-control.js';

/**
 * moto in server mode: S3 faithful enough for this project (ListObjectsV2 pagination, multipart
 * uploads, `If-None-Match: *`). Pinned so that every machine runs the same S3 behaviour.
 */
export const motoServerTool = { name: 'moto-server', requirements: ['moto[server]==5.2.5'] } as const;

/** Where and how the local S3 server listens. */
export interface S3ServerOptions {
  readonly port: number;
  /**
   * How long to wait for the server to answer ListBuckets after starting it.
   * @default 30_000 ms
   */
  readonly startTimeoutMs?: number;
  /** Receives one line per install or start step. */
  readonly reportProgress: (line: string) => void;
}

/** Files of the S3 server instance on one port. moto keeps its data in memory: there is no data folder. */
export interface S3ServerFiles {
  readonly stateDir: string;
  readonly logFile: string;
  readonly pidFile: string;
}

/** One state folder per port, as for Kafka. */
export function s3ServerFiles(port: number): S3ServerFiles {
  const stateDir = cacheDir('services', `s3-${port}`);
  return { stateDir, logFile: join(stateDir, 's3.log'), pidFile: join(stateDir, 's3.pid') };
}

/**
 * True when an S3 API answers ListBuckets at `endpoint` (moto, LocalStack or MinIO alike): either a
 * bucket listing, or an S3 error document (AccessDenied and the like), which also proves an S3 server
 * is there. Any other web server is not taken for one: the SDK reads its 200 page as an empty
 * listing, so the listing must carry an owner or a bucket list.
 */
export async function s3ServerAnswers(endpoint: string, timeoutMs = 3_000): Promise<boolean> {
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: localS3Credentials,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
  });
  try {
    const listing = await client.send(new ListBucketsCommand({}));
    return listing.Owner !== undefined || listing.Buckets !== undefined;
  } catch (error) {
    if (error instanceof S3ServiceException) return isS3ErrorDocument(error);
    // Refused connections and timeouts mean "no S3 here".
    if (error instanceof Error) return false;
    throw error;
  } finally {
    client.destroy();
  }
}

/** An `<Error><Code>...</Code></Error>` answer, as opposed to a status code on an HTML page. */
function isS3ErrorDocument(error: S3ServiceException): boolean {
  return typeof (error as { Code?: unknown }).Code === 'string';
}

/**
 * Starts moto's S3 server from its cached virtual environment (installing it first if needed), unless
 * an S3 server already answers on the port. Resolves once it answers ListBuckets.
 */
export async function startS3Server(options: S3ServerOptions): Promise<ServiceStart> {
  const endpoint = s3EndpointForPort(options.port);
  const files = s3ServerFiles(options.port);
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  return startRecordedService({
    endpoint,
    logFile: files.logFile,
    pidFile: files.pidFile,
    answers: () => s3ServerAnswers(endpoint),
    waitUntilAnswers: (exitStatus) => waitForS3(endpoint, files.logFile, startTimeoutMs, exitStatus),
    reportStarted: (pid) =>
      options.reportProgress(`started the S3 server (moto, pid ${pid}); waiting for it on ${endpoint}`),
    prepare: async () => {
      if (await isPortAcceptingConnections(loopbackHost, options.port)) {
        throw new LocalServiceError(
          `port ${options.port} on ${loopbackHost} is taken by a program that does not answer as an S3 server`,
          `stop that program (find it with: lsof -i :${options.port}) or choose another port with --s3-port`,
        );
      }
      const binDir = await installMotoServer(options.reportProgress);
      return {
        command: join(binDir, 'moto_server'),
        args: ['-H', loopbackHost, '-p', String(options.port)],
        logFile: files.logFile,
        pidFile: files.pidFile,
        commandMarker: 'moto_server',
        cwd: files.stateDir,
      };
    },
  });
}

/** Stops the S3 server this project started on `port`, if any (SIGTERM, then SIGKILL after 10 s). */
export function stopS3Server(port: number): Promise<StopOutcome> {
  return stopRecordedProcess(s3ServerFiles(port).pidFile, 10_000);
}

async function installMotoServer(reportProgress: (line: string) => void): Promise<string> {
  const venvDir = join(cacheDir('venvs'), motoServerTool.name);
  const startedAt = Date.now();
  // ensurePythonTool returns at once when the pinned version is already installed; only report a
  // real install, which downloads packages and is slow enough to need saying.
  const slowInstallNotice = setTimeout(
    () => reportProgress(`installing ${motoServerTool.requirements.join(' ')} into ${venvDir} (once)`),
    1_000,
  );
  try {
    const binDir = await ensurePythonTool(motoServerTool);
    if (Date.now() - startedAt > 1_000) reportProgress(`installed moto into ${venvDir}`);
    return binDir;
  } catch (error) {
    throw new LocalServiceError(
      `could not install the S3 server (moto) into ${venvDir}: ${(error as Error).message}`,
      'install python3 with its venv module (Debian: apt-get install python3-venv), check access to the Python package index, then run the command again',
    );
  } finally {
    clearTimeout(slowInstallNotice);
  }
}

function waitForS3(
  endpoint: string,
  logFile: string,
  timeoutMs: number,
  exitStatus: () => string | undefined,
): Promise<void> {
  return waitUntilServiceAnswers({
    service: 'the S3 server',
    endpoint,
    logFile,
    timeoutMs,
    intervalMs: 200,
    answers: () => s3ServerAnswers(endpoint),
    exitStatus,
    hintWhenExited: `read ${logFile}; if the virtual environment is damaged, delete ${join(cacheDir('venvs'), motoServerTool.name)} and run the command again`,
    hintWhenSilent: `read ${logFile}, then run the command again`,
  });
}
