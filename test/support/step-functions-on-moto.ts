import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type DeployedValues, resolveIntrinsics } from './cloudformation-template.js';
import type { DeployedFunction, Invocation } from './deployed-functions.js';
import { freeLoopbackPorts } from './free-ports.js';
import { type OwnMoto, startOwnMoto } from './own-moto.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const CREDENTIALS = { accessKeyId: 'moto', secretAccessKey: 'moto' };

/** A Lambda function the router runs when the state machine invokes it. */
export interface RoutedFunction {
  readonly fn: DeployedFunction;
  /** Runs it (the bundle, in a process of its own) with the payload the state machine sent. */
  readonly invoke: (payload: unknown) => Promise<Invocation>;
}

/** One invocation as the router saw it: which function, with what, and what it answered. */
export interface RoutedInvocation {
  readonly logicalId: string;
  readonly payload: Record<string, unknown>;
  readonly outcome: Invocation | 'lost on the way back';
  /** When the router started and finished running it (epoch ms). */
  readonly startedAt: number;
  readonly endedAt: number;
}

/**
 * moto's Step Functions interpreter, executing state machine definitions for real, on a moto of
 * its own. The interpreter makes its service calls (Lambda's Invoke, DynamoDB, Step Functions
 * itself) to `localhost:$MOTO_PORT`; that port is a small router here, which runs the deployed
 * bundles for Lambda's Invoke (as Lambda would: a function error comes back with
 * X-Amz-Function-Error and its errorType) and passes every other call on to moto.
 */
export class StepFunctionsOnMoto {
  readonly invocations: RoutedInvocation[] = [];
  /** Invocations to answer with a Lambda service error after the function ran: the answer lost. */
  private readonly loseAnswers: ((payload: Record<string, unknown>) => boolean)[] = [];
  private constructor(
    private readonly moto: OwnMoto,
    private readonly router: Server,
    readonly endpoint: string,
    private readonly functions: ReadonlyMap<string, RoutedFunction>,
  ) {}

  static async start(functions: readonly RoutedFunction[]): Promise<StepFunctionsOnMoto> {
    const [motoPort, routerPort] = (await freeLoopbackPorts(2)) as [number, number];
    // moto's server, with the aws-sdk casing of Step Functions filled in first (see that file).
    const moto = await startOwnMoto({
      port: motoPort,
      patches: ['aws_sdk_casing'],
      environment: { MOTO_PORT: String(routerPort) },
    });
    const byName = new Map(functions.map((routed) => [routed.fn.logicalId, routed]));
    let harness: StepFunctionsOnMoto | undefined;
    const router = createServer((request, response) => {
      void harness!.route(request, response, motoPort);
    });
    // The interpreter calls `localhost`, which may resolve to either loopback address.
    await new Promise<void>((resolve) => router.listen(routerPort, 'localhost', resolve));
    const endpoint = moto.endpoint;
    harness = new StepFunctionsOnMoto(moto, router, endpoint, byName);
    const enabled = await fetch(`${endpoint}/moto-api/config`, {
      method: 'POST',
      body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }),
    });
    if (!enabled.ok) throw new Error(`moto refused to execute state machines: ${await enabled.text()}`);
    return harness;
  }

  async stop(): Promise<void> {
    this.moto.stop();
    await new Promise<void>((resolve) => this.router.close(() => resolve()));
  }

  /** The next invocation whose payload `matches` runs, and its answer is then lost (a Lambda service error). */
  loseTheAnswerOnce(matches: (payload: Record<string, unknown>) => boolean): void {
    this.loseAnswers.push(matches);
  }

  readonly sfn = () => new SFNClient({ endpoint: this.endpoint, region: REGION, credentials: CREDENTIALS });
  readonly dynamoDb = () =>
    new DynamoDBClient({ endpoint: this.endpoint, region: REGION, credentials: CREDENTIALS });
  readonly sns = () => new SNSClient({ endpoint: this.endpoint, region: REGION, credentials: CREDENTIALS });
  readonly sqs = () => new SQSClient({ endpoint: this.endpoint, region: REGION, credentials: CREDENTIALS });

  /**
   * A topic in this moto with a queue subscribed to it, as a person subscribes to the alarm topic:
   * `received()` reads what was published to it since the last call.
   */
  async topicWithInbox(name: string): Promise<{ topicArn: string; received: () => Promise<string[]> }> {
    const { TopicArn } = await this.sns().send(new CreateTopicCommand({ Name: name }));
    const { QueueUrl } = await this.sqs().send(new CreateQueueCommand({ QueueName: `${name}-inbox` }));
    const { Attributes } = await this.sqs().send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await this.sns().send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: Attributes!.QueueArn!,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    const received = async () => {
      const messages: string[] = [];
      for (;;) {
        const { Messages } = await this.sqs().send(
          new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        if (!Messages?.length) return messages;
        for (const message of Messages) {
          messages.push(message.Body ?? '');
          await this.sqs().send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
        }
      }
    };
    return { topicArn: TopicArn!, received };
  }

  /** The ARN the definition names a function by (its logical id as the function's name). */
  static functionArn(logicalId: string): string {
    return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId}`;
  }

  /**
   * The synthesized DefinitionString of stack `stackName` with its CloudFormation references
   * resolved to this moto: the routed functions by their logical id, tables by the names given,
   * and references into other stacks (`Fn::GetStackOutput`) through `elsewhere`: their templates
   * and the values of their resources.
   */
  definitionOf(
    stackName: string,
    definitionString: unknown,
    tables: Readonly<Record<string, string>>,
    elsewhere: Pick<DeployedValues, 'templates' | 'resources'> = { templates: {}, resources: {} },
  ): string {
    const resources = Object.fromEntries([
      ...[...this.functions.keys()].map((logicalId) => [
        logicalId,
        { Arn: StepFunctionsOnMoto.functionArn(logicalId) },
      ]),
      ...Object.entries(tables).map(([logicalId, name]) => [logicalId, { Ref: name }]),
    ]);
    return resolveIntrinsics(definitionString, stackName, {
      partition: 'aws',
      region: REGION,
      account: ACCOUNT,
      templates: elsewhere.templates,
      resources: { ...elsewhere.resources, [stackName]: resources },
    }) as string;
  }

  async createTable(
    name: string,
    properties: { KeySchema: unknown; AttributeDefinitions: unknown },
  ): Promise<void> {
    await this.dynamoDb().send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: properties.KeySchema as never,
        AttributeDefinitions: properties.AttributeDefinitions as never,
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }

  async createStateMachine(name: string, definition: string): Promise<string> {
    const created = await this.sfn().send(
      new CreateStateMachineCommand({ name, definition, roleArn: `arn:aws:iam::${ACCOUNT}:role/${name}` }),
    );
    return created.stateMachineArn!;
  }

  async start(stateMachineArn: string, name: string, input: unknown): Promise<string> {
    const started = await this.sfn().send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
    );
    return started.executionArn!;
  }

  /** Waits for the execution to end (bounded), and returns how it ended with its whole history. */
  async finished(
    executionArn: string,
    timeoutMs = 240_000,
  ): Promise<{ execution: DescribeExecutionCommandOutput; history: HistoryEvent[] }> {
    const deadline = Date.now() + timeoutMs;
    let execution = await this.sfn().send(new DescribeExecutionCommand({ executionArn }));
    while (execution.status === 'RUNNING') {
      if (Date.now() > deadline) throw new Error(`${executionArn} still runs after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
      execution = await this.sfn().send(new DescribeExecutionCommand({ executionArn }));
    }
    const history: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.sfn().send(
        new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }),
      );
      history.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return { execution, history };
  }

  private async route(request: IncomingMessage, response: ServerResponse, motoPort: number) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const invoked = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(request.url ?? '');
    if (invoked === null) {
      const forwarded = httpRequest(
        {
          host: '127.0.0.1',
          port: motoPort,
          method: request.method,
          path: request.url,
          headers: request.headers,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forwarded.on('error', (error) => {
        response.writeHead(502);
        response.end(String(error));
      });
      forwarded.end(body);
      return;
    }
    const name = decodeURIComponent(invoked[1]!).split(':function:').at(-1)!.split(':')[0]!;
    const routed = this.functions.get(name);
    if (routed === undefined) {
      response.writeHead(404, {
        'Content-Type': 'application/json',
        'x-amzn-ErrorType': 'ResourceNotFoundException',
      });
      response.end(JSON.stringify({ Type: 'User', message: `Function not found: ${name}` }));
      return;
    }
    const payload = (body.length > 0 ? JSON.parse(body.toString('utf8')) : {}) as Record<string, unknown>;
    const startedAt = Date.now();
    const outcome = await routed.invoke(payload);
    const endedAt = Date.now();
    const lose = this.loseAnswers.findIndex((matches) => matches(payload));
    if (lose >= 0) {
      this.loseAnswers.splice(lose, 1);
      this.invocations.push({
        logicalId: name,
        payload,
        outcome: 'lost on the way back',
        startedAt,
        endedAt,
      });
      response.writeHead(500, {
        'Content-Type': 'application/json',
        'x-amzn-ErrorType': 'ServiceException',
        'x-amzn-RequestId': `lost-${this.invocations.length}`,
      });
      response.end(JSON.stringify({ Type: 'Service', message: 'the answer was lost on the way back' }));
      return;
    }
    this.invocations.push({ logicalId: name, payload, outcome, startedAt, endedAt });
    if (outcome.error !== undefined) {
      response.writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Function-Error': 'Unhandled' });
      response.end(JSON.stringify({ errorType: outcome.error.name, errorMessage: outcome.error.message }));
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(outcome.result ?? null));
  }
}
