import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheDir, repositoryRoot } from '../tooling/cache-dir.js';
import { LocalServiceError } from './local-service-error.js';

const execFileAsync = promisify(execFile);

/** The pom that lists the broker's jars, and the log4j configuration the broker reads. */
export const kafkaPomFile = join(repositoryRoot, 'local', 'kafka', 'pom.xml');
export const kafkaLog4jFile = join(repositoryRoot, 'local', 'kafka', 'log4j.properties');

/** The oldest Java that Kafka 3.9's broker runs on. */
const minimumJavaMajorVersion = 11;

/** Where the Kafka jars are, once installed. */
export interface KafkaInstallation {
  /** Folder holding every runtime jar; the classpath is `<libsDir>/*`. */
  readonly libsDir: string;
  /** The `java` executable that runs the broker. */
  readonly javaCommand: string;
  /** False when the jars were already cached and Maven was not called. */
  readonly installedNow: boolean;
}

/**
 * Makes sure a runnable Kafka classpath is in `.cache/kafka/libs`: the first time (or after
 * `local/kafka/pom.xml` changed) Maven copies the jars there; afterwards this only checks a stamp and
 * never calls Maven. Maven's own download cache is kept in `.cache/kafka/maven-repository` so that a
 * fresh clone installs everything it needs into its own `.cache` and nothing into `~/.m2`.
 *
 * @param reportProgress receives one line per install step (the CLI writes them to stderr)
 */
export async function ensureKafkaInstalled(
  reportProgress: (line: string) => void,
  javaCommand = 'java',
): Promise<KafkaInstallation> {
  await checkJava(javaCommand);
  const kafkaCache = cacheDir('kafka');
  const libsDir = join(kafkaCache, 'libs');
  const stampFile = join(libsDir, '.pom-sha256');
  const pomDigest = createHash('sha256').update(readFileSync(kafkaPomFile)).digest('hex');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === pomDigest) {
    return { libsDir, javaCommand, installedNow: false };
  }

  reportProgress(`installing Kafka's jars with Maven into ${libsDir} (once; about 50 MB)`);
  // Copy into a sibling folder and rename at the end, so that an interrupted install is never
  // mistaken for a complete one.
  const stagingDir = join(kafkaCache, 'libs.partial');
  rmSync(stagingDir, { recursive: true, force: true });
  await runMaven([
    '-q',
    '-B',
    '-f',
    kafkaPomFile,
    `-Dmaven.repo.local=${join(kafkaCache, 'maven-repository')}`,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${stagingDir}`,
  ]);
  const jarCount = existsSync(stagingDir)
    ? readdirSync(stagingDir).filter((name) => name.endsWith('.jar')).length
    : 0;
  if (jarCount === 0) {
    throw new LocalServiceError(
      `Maven finished but copied no jars into ${stagingDir} (pom: ${kafkaPomFile})`,
      'run the same command by hand without -q to see what Maven resolved: ' +
        `mvn -f ${kafkaPomFile} dependency:copy-dependencies -DincludeScope=runtime`,
    );
  }
  writeFileSync(join(stagingDir, '.pom-sha256'), pomDigest);
  rmSync(libsDir, { recursive: true, force: true });
  renameSync(stagingDir, libsDir);
  reportProgress(`installed ${jarCount} Kafka jars into ${libsDir}`);
  return { libsDir, javaCommand, installedNow: true };
}

async function checkJava(javaCommand: string): Promise<void> {
  let versionText: string;
  try {
    // `java -version` writes to stderr.
    const { stderr } = await execFileAsync(javaCommand, ['-version']);
    versionText = stderr;
  } catch (error) {
    if (isMissingCommand(error)) {
      throw new LocalServiceError(
        `Java is not installed (no "${javaCommand}" on the PATH); the local Kafka broker runs on it`,
        `install a Java runtime ${minimumJavaMajorVersion} or later (Debian: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17), or use the Docker compose profile`,
      );
    }
    throw new LocalServiceError(
      `"${javaCommand} -version" failed: ${(error as Error).message}`,
      'check that Java works in this shell (java -version), then run the command again',
    );
  }
  const major = javaMajorVersion(versionText);
  if (major !== undefined && major < minimumJavaMajorVersion) {
    throw new LocalServiceError(
      `Java ${major} is too old for Kafka 3.9 (found by "${javaCommand} -version")`,
      `install Java ${minimumJavaMajorVersion} or later and put it first on the PATH`,
    );
  }
}

/**
 * The major version in `java -version` output: `"17.0.15"` -> 17, the old scheme `"1.8.0_392"` -> 8.
 * Undefined when the text has no quoted version (an unusual vendor build; the broker start will tell).
 */
export function javaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

async function runMaven(args: readonly string[]): Promise<void> {
  try {
    await execFileAsync('mvn', [...args], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    if (isMissingCommand(error)) {
      throw new LocalServiceError(
        'Maven is not installed (no "mvn" on the PATH); it is needed once, to download the Kafka broker\'s jars',
        'install Maven 3.6 or later (Debian: apt-get install maven; macOS: brew install maven), or use the Docker compose profile',
      );
    }
    const output = error instanceof Error ? outputOf(error) : String(error);
    throw new LocalServiceError(
      `Maven could not fetch Kafka's jars for ${kafkaPomFile}:\n${output}`,
      'check the network access to the Maven repository and the versions in local/kafka/pom.xml, then run the command again',
    );
  }
}

function outputOf(error: Error): string {
  const { stdout, stderr } = error as { stdout?: unknown; stderr?: unknown };
  const text = [stdout, stderr].filter((part) => typeof part === 'string' && part.trim() !== '').join('\n');
  const lines = (text || error.message).trimEnd().split('\n');
  return lines.slice(-20).join('\n');
}

function isMissingCommand(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT';
}
