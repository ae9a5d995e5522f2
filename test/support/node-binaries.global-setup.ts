import type { TestProject } from 'vitest/node';
import { OLDEST_SUPPORTED_NODE_MAJOR } from '../../bin/cli/supported-node.js';
import { PIPELINE_NODE_MAJOR } from '../../lib/app/pipeline-node-version.js';
import { ensureNodeBinary } from '../../local/tooling/node-binary.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The `node` of the line the deployed code runs on: the tests run the bundles with it. */
    deployedNode: string;
    /** The `node` of the oldest line the command-line tool supports: the tests run the tool with it. */
    cliNode: string;
  }
}

/**
 * Installs (once, into `.cache/`) the Node.js lines the tests run the deployed bundles and the
 * command-line tool on, in this one process so that no two test files install at once.
 */
export default async function setupNodeBinaries(project: TestProject): Promise<void> {
  project.provide('deployedNode', await ensureNodeBinary(PIPELINE_NODE_MAJOR));
  project.provide('cliNode', await ensureNodeBinary(OLDEST_SUPPORTED_NODE_MAJOR));
}
