#!/usr/bin/env node
// The package's command-line tool. The sources are TypeScript; tsx compiles them on the fly so that
// `npx spotify-pipeline` needs no build step after `npm ci`.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every run that its 2027 releases will need Node 22: the tool says it once,
// in its own words (supported-node.ts), and the SDK's warning would bury the tool's own output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { unsupportedNodeWarning } = await import('./cli/supported-node.ts');
const warning = unsupportedNodeWarning(process.version);
if (warning !== null) process.stderr.write(warning);
const { runCli } = await import('./cli/main.ts');
process.exitCode = await runCli(process.argv);
