import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { repositoryRoot } from '../../local/tooling/cache-dir.js';

/** A DuckDB file held open for writing by another process, as a running load or run holds it. */
export interface HeldWarehouse {
  release(): Promise<void>;
}

/** Opens `path` (creating it) in a separate Node process and keeps it open until released. */
export async function holdWarehouseOpen(path: string): Promise<HeldWarehouse> {
  const holder = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const { DuckDBInstance } = await import('@duckdb/node-api'); await DuckDBInstance.create(process.argv[1]); process.stdout.write('open\\n'); process.stdin.resume();",
      path,
    ],
    { cwd: repositoryRoot, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    holder.once('exit', (code) => reject(new Error(`the process holding ${path} exited (${code})`)));
    holder.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('open')) resolve();
    });
  });
  return {
    release: () =>
      new Promise<void>((resolve) => {
        holder.removeAllListeners('exit');
        holder.once('exit', () => resolve());
        holder.stdin.end();
        holder.kill('SIGTERM');
      }),
  };
}

/**
 * DuckDB's main file header: a checksum (8 bytes), the magic `DUCK`, then the storage version
 * (little-endian u64), in a header block of 4,096 bytes whose checksum covers all after its first 8.
 */
const HEADER_BLOCK_BYTES = 4_096;
const VERSION_OFFSET = 12;

/**
 * DuckDB's block checksum as its storage format defines it: from 5381, each little-endian u64 of
 * the block multiplied by 0xbf58476d1ce4e5b9 (mod 2^64) and XORed in.
 */
function duckDbChecksum(block: Buffer): bigint {
  let sum = 5381n;
  for (let offset = 0; offset + 8 <= block.length; offset += 8)
    sum ^= BigInt.asUintN(64, block.readBigUInt64LE(offset) * 0xbf58476d1ce4e5b9n);
  return sum;
}

/**
 * A warehouse file as a newer DuckDB would leave it: written by this DuckDB, then given a storage
 * version beyond any this one reads, with the header's checksum made right again, so that what
 * DuckDB objects to is the version alone.
 */
export async function writeWarehouseOfNewerDuckDb(path: string): Promise<number> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  await connection.run('CREATE TABLE written_by_a_newer_duckdb (id INTEGER)');
  connection.closeSync();
  instance.closeSync();
  const file = readFileSync(path);
  if (file.toString('latin1', 8, 12) !== 'DUCK') throw new Error(`${path} has no DuckDB header`);
  const newerVersion = file.readBigUInt64LE(VERSION_OFFSET) + 100n;
  file.writeBigUInt64LE(newerVersion, VERSION_OFFSET);
  file.writeBigUInt64LE(duckDbChecksum(file.subarray(8, HEADER_BLOCK_BYTES)), 0);
  writeFileSync(path, file);
  return Number(newerVersion);
}

/** A warehouse file whose header a crash or a bad copy damaged: its checksum no longer matches. */
export async function writeDamagedWarehouse(path: string): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  instance.closeSync();
  const file = readFileSync(path);
  file[64] = (file[64] ?? 0) ^ 0xff;
  writeFileSync(path, file);
}
