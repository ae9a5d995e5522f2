import { type ChildProcess, spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, inject, it } from 'vitest';
import { localKafka } from '../../support/local-clients.js';
import { buildPipelineFor } from '../../support/pipeline-app.js';
import { buildProducerImageBundle } from '../../support/producer-bundle.js';

/** Messages on every partition of the topic so far (0 before it exists). */
async function messagesIn(topic: string): Promise<number> {
  const admin = localKafka('producer-container-test').admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return 0;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((total, partition) => total + Number(partition.high) - Number(partition.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** The producer container's environment as the synthesized task definition sets it. */
function taskEnvironment(): { Name: string; Value: unknown }[] {
  const { stacks } = buildPipelineFor('dev');
  const [taskDefinition] = Object.values(
    Template.fromStack(stacks.ingestion).findResources('AWS::ECS::TaskDefinition'),
  );
  const [container] = taskDefinition!.Properties.ContainerDefinitions as {
    Environment: { Name: string; Value: unknown }[];
  }[];
  return container!.Environment;
}

describe("the producer's container entry point, as the image runs it", () => {
  it("GIVEN the bundle built by the Dockerfile's own script and the task definition's environment WHEN started with plain Node, then stopped with SIGTERM THEN it sends events and every event it took is on the topic", async () => {
    // Prepare: the image's build step, and its one file run from outside the repository
    const bundle = buildProducerImageBundle();
    const folder = dirname(bundle);
    // The template's values, but the broker: the local one instead of MSK's, with no IAM to sign for.
    const environment: Record<string, string> = {};
    for (const { Name, Value } of taskEnvironment()) {
      if (Name === 'KAFKA_BROKERS') environment[Name] = inject('kafkaBrokers');
      else if (Name === 'KAFKA_AUTH') environment[Name] = 'plaintext';
      else if (Name === 'AWS_REGION') environment[Name] = 'us-east-1';
      else if (typeof Value === 'string') environment[Name] = Value;
      else
        throw new Error(
          `the task definition sets ${Name} to ${JSON.stringify(Value)}, which this test does not resolve`,
        );
    }
    expect(Object.keys(environment).sort()).toEqual(
      [
        'AWS_REGION',
        'EVENT_RATE',
        'KAFKA_AUTH',
        'KAFKA_BROKERS',
        'KAFKA_TOPIC',
        'TOPIC_PARTITIONS',
        'TOPIC_RETENTION_HOURS',
      ].sort(),
    );
    const topic = environment.KAFKA_TOPIC!;
    const before = await messagesIn(topic);

    // Act: it runs until a few events are out at the task's rate, then ECS stops it
    const producer: ChildProcess = spawn(inject('deployedNode'), ['producer.mjs'], {
      cwd: folder,
      env: {
        PATH: process.env.PATH,
        ...environment,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    producer.stdout!.on('data', (chunk) => (output += chunk));
    producer.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => producer.on('close', (code) => resolve(code)));
    for (let waited = 0; (await messagesIn(topic)) - before < 3; waited += 500) {
      if (waited > 60_000) throw new Error(`the producer sent fewer than 3 events in 60 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    producer.kill('SIGTERM');
    const code = await exited;

    // Assess: a clean exit, and what it says it sent is exactly what the topic gained
    expect(code, output).toBe(0);
    const stopped = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { message?: string; taken?: number; sent?: number })
      .find((line) => line.message === 'stopped');
    expect(stopped?.sent).toBeGreaterThanOrEqual(3);
    expect(stopped!.sent).toBe(stopped!.taken);
    expect((await messagesIn(topic)) - before).toBe(stopped!.sent);
  }, 120_000);
});
