import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { CliError } from './cli-error.js';
import { cannotWrite } from './failure-messages.js';

/** Lines are gathered into chunks of about this many characters before each write. */
const CHUNK_CHARACTERS = 256 * 1024;

/**
 * Writes newline-terminated lines to stdout or a file in large chunks, honouring backpressure, and
 * notices when the reader has gone away (`generate ... | head`) so that the writer can stop early.
 */
export interface LineSink {
  /** Queues one line (without its newline); resolves false once the reader has gone away. */
  write(line: string): Promise<boolean> | boolean;
  /** Flushes what is queued and closes a file; stdout is left open. */
  close(): Promise<void>;
}

export async function openLineSink(path: string | undefined): Promise<LineSink> {
  if (path === undefined) return new ChunkedLineSink(process.stdout, false);
  try {
    const stream = createWriteStream(path);
    // Wait for the file to open, so a missing folder or a permission problem fails now, clearly.
    await new Promise((resolve, reject) => {
      stream.once('open', resolve);
      stream.once('error', reject);
    });
    return new ChunkedLineSink(stream, true);
  } catch (error) {
    throw cannotWrite('--out', path, error);
  }
}

class ChunkedLineSink implements LineSink {
  private pending: string[] = [];
  private pendingCharacters = 0;
  private readerGone = false;
  private failure: Error | undefined;

  constructor(
    private readonly stream: Writable,
    private readonly ownsStream: boolean,
  ) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') this.readerGone = true;
      else this.failure = error;
    });
  }

  write(line: string): Promise<boolean> | boolean {
    this.pending.push(line);
    this.pendingCharacters += line.length + 1;
    if (this.pendingCharacters < CHUNK_CHARACTERS) return !this.readerGone;
    return this.flush();
  }

  private async flush(): Promise<boolean> {
    if (this.pending.length > 0 && !this.readerGone) {
      const chunk = `${this.pending.join('\n')}\n`;
      this.pending = [];
      this.pendingCharacters = 0;
      if (!this.stream.write(chunk)) await this.drained();
    }
    // Let a pending EPIPE or write error surface before producing more.
    await nextTurn();
    if (this.failure)
      throw new CliError(
        `writing the output failed: ${this.failure.message}`,
        'check the disk or the reader of the output',
      );
    return !this.readerGone;
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        this.stream.off('error', done);
        resolve();
      };
      this.stream.once('drain', done);
      this.stream.once('close', done);
      this.stream.once('error', done);
    });
  }

  async close(): Promise<void> {
    await this.flush();
    if (!this.ownsStream) return;
    await new Promise<void>((resolve, reject) =>
      this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
}
