import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian's `chromium` package (and Ubuntu's older one) puts the browser. */
const KNOWN_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** `SPOTIFY_PIPELINE_CHROMIUM`: a Chromium or Chrome binary to use instead of the system package. */
export const CHROMIUM_VARIABLE = 'SPOTIFY_PIPELINE_CHROMIUM';

/**
 * The path of a headless-capable Chromium, installing Debian's `chromium` package when none is
 * there: with apt-get as root, or through `sudo -n` when that needs no password. The browser is a
 * system package rather than a download into `.cache/` because Chromium needs a few dozen shared
 * libraries that only the package manager resolves.
 */
export async function ensureChromium(reportProgress: (line: string) => void = () => {}): Promise<string> {
  const chosen = process.env[CHROMIUM_VARIABLE];
  if (chosen) {
    if (!isExecutable(chosen))
      throw new Error(
        `${CHROMIUM_VARIABLE} is ${chosen}, which is not an executable file: unset it or fix the path`,
      );
    return chosen;
  }
  const found = KNOWN_PATHS.find(isExecutable);
  if (found) return found;

  const asRoot = process.getuid?.() === 0;
  const sudo = !asRoot && (await succeeds('sudo', ['-n', 'true']));
  if (!asRoot && !sudo)
    throw new Error(
      'Chromium is not installed and this user cannot install it (not root, no password-less sudo). ' +
        `Run "sudo apt-get install chromium" once, or set ${CHROMIUM_VARIABLE} to a Chromium or Chrome binary.`,
    );
  if (!(await succeeds('apt-get', ['--version'])))
    throw new Error(
      `Chromium is not installed and there is no apt-get to install it with: install Chromium with this system's package manager, or set ${CHROMIUM_VARIABLE} to its path.`,
    );
  const aptGet = (args: string[]) =>
    run(sudo ? 'sudo' : 'apt-get', sudo ? ['-n', 'apt-get', ...args] : args, {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      maxBuffer: 64 * 1024 * 1024,
    });
  try {
    reportProgress('installing Debian’s chromium package (apt-get update, then install)…');
    await aptGet(['update', '-qq']);
    await aptGet(['install', '-y', '-qq', '--no-install-recommends', 'chromium']);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`could not install Chromium with apt-get: ${detail}`);
  }
  const installed = KNOWN_PATHS.find(isExecutable);
  if (!installed)
    throw new Error(`apt-get installed chromium, but none of ${KNOWN_PATHS.join(', ')} is there`);
  return installed;
}

/** Flags for launching it headless here: a root user (CI containers) cannot use Chromium's sandbox. */
export function chromiumLaunchArguments(): string[] {
  return process.getuid?.() === 0 ? ['--no-sandbox'] : [];
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function succeeds(command: string, args: string[]): Promise<boolean> {
  try {
    await run(command, args);
    return true;
  } catch {
    return false;
  }
}
