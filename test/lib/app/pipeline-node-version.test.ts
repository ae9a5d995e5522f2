import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { OLDEST_SUPPORTED_NODE_MAJOR, unsupportedNodeWarning } from '../../../bin/cli/supported-node.js';
import { PIPELINE_LAMBDA_RUNTIME, PIPELINE_NODE_MAJOR } from '../../../lib/app/pipeline-node-version.js';
import { PRODUCER_DOCKERFILE } from '../../../lib/producer/event-producer-service.js';
import { repositoryRoot } from '../../../local/tooling/cache-dir.js';

const majorOf = (node: string) =>
  Number(/^v(\d+)\./.exec(execFileSync(node, ['--version'], { encoding: 'utf8' }))?.[1]);

describe('one Node.js line for what deploys, and the tests run on it', () => {
  it("GIVEN the pipeline's line THEN the functions' runtime is Lambda's runtime of that line", () => {
    expect(PIPELINE_LAMBDA_RUNTIME.name).toBe(`nodejs${PIPELINE_NODE_MAJOR}.x`);
  });

  it("GIVEN the producer's Dockerfile THEN both of its stages start from that line's image by default", () => {
    const dockerfile = readFileSync(join(repositoryRoot, PRODUCER_DOCKERFILE), 'utf8');

    expect(dockerfile).toMatch(new RegExp(`^ARG NODE_MAJOR=${PIPELINE_NODE_MAJOR}$`, 'm'));
    // The Dockerfile's own variable, not this file's.
    const fromTheArgument = 'FROM node:$' + '{NODE_MAJOR}-bookworm-slim';
    expect(dockerfile.match(/^FROM .*$/gm)).toEqual([`${fromTheArgument} AS build`, fromTheArgument]);
  });

  it("GIVEN package.json THEN the producer's bundle targets that line and the tool claims the oldest line it is tested on", () => {
    const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      engines: { node: string };
    };

    expect(manifest.scripts['build:producer']).toContain(`--target=node${PIPELINE_NODE_MAJOR} `);
    expect(manifest.engines.node).toBe(`>=${OLDEST_SUPPORTED_NODE_MAJOR}`);
  });

  it('GIVEN the Node.js the tests run the bundles and the tool with THEN they are those lines, whatever runs the tests', () => {
    expect(majorOf(inject('deployedNode'))).toBe(PIPELINE_NODE_MAJOR);
    expect(majorOf(inject('cliNode'))).toBe(OLDEST_SUPPORTED_NODE_MAJOR);
  });

  it('GIVEN a Node.js older than the tool supports THEN it warns once, naming the versions; GIVEN a supported one THEN nothing', () => {
    expect(unsupportedNodeWarning('v20.20.2')).toMatch(
      /^spotify-pipeline: warning: Node\.js v20\.20\.2 is older than the 22 this tool supports .*install Node\.js 22 or 24\n$/,
    );
    expect(unsupportedNodeWarning('v22.20.0')).toBeNull();
    expect(unsupportedNodeWarning('v24.19.0')).toBeNull();
  });
});
