#!/usr/bin/env node
// The package's command-line tool. The sources are TypeScript; tsx compiles them on the fly so that
// `npx spotify-pipeline` needs no build step after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('./cli/main.ts');
process.exitCode = await runCli(process.argv);
