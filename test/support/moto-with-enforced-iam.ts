import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetUserCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { freeLoopbackPorts } from './free-ports.js';
import { conditionsHold, type StatementJson, statementAllows, statementDenies } from './iam-statements.js';
import { type OwnMoto, startOwnMoto } from './own-moto.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
const DECISION_MARKER = 'moto-iam-decision ';
const ADMINISTRATOR = 'harness-administrator';

/** Access keys of an IAM user of this moto. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** An IAM user holding exactly the permissions a role was given. */
export interface Principal {
  readonly arn: string;
  readonly credentials: Credentials;
}

/** One authorisation moto made (test/support/moto/iam_enforcement.py writes them). */
export interface IamDecision {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly allowed: boolean;
  /** The condition keys the request gave (`s3:prefix` of a listing). */
  readonly context: Readonly<Record<string, string>>;
}

/**
 * A moto server of its own that authorises every request against the IAM policies of the caller,
 * as AWS does: moto's enforcement (`/moto-api/reset-auth` to 0) is switched on once the harness's
 * own administrator exists, so from then on an unsigned request, an unknown key or a call the
 * caller's policies do not allow is refused. Secrets Manager calls are authorised against the
 * secret's ARN, and every decision is recorded (see iam_enforcement.py).
 */
export class MotoWithEnforcedIam {
  private constructor(
    private readonly moto: OwnMoto,
    /** Allowed everything: the harness's own set-up and checks. */
    readonly administrator: Credentials,
  ) {}

  get endpoint(): string {
    return this.moto.endpoint;
  }

  static async start(): Promise<MotoWithEnforcedIam> {
    const [port] = (await freeLoopbackPorts(1)) as [number];
    const moto = await startOwnMoto({
      port,
      patches: ['iam_enforcement'],
      // So that a role's AWS-managed policies can be attached by their ARN.
      environment: { MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
    });
    try {
      const iam = new IAMClient({
        endpoint: moto.endpoint,
        region: REGION,
        credentials: { accessKeyId: 'set-up', secretAccessKey: 'set-up' },
      });
      const administrator = await createUser(
        iam,
        'harness-administrator',
        [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        [],
      );
      const enforced = await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
      if (!enforced.ok) throw new Error(`moto refused to enforce IAM: ${await enforced.text()}`);
      return new MotoWithEnforcedIam(moto, administrator.credentials);
    } catch (error) {
      moto.stop();
      throw error;
    }
  }

  stop(): void {
    this.moto.stop();
  }

  /**
   * A new IAM user `name` holding `statements` as its one inline policy and the AWS-managed
   * policies `managedPolicyArns`: nothing else.
   */
  principal(
    name: string,
    statements: readonly StatementJson[],
    managedPolicyArns: readonly string[],
  ): Promise<Principal> {
    const iam = new IAMClient({ endpoint: this.endpoint, region: REGION, credentials: this.administrator });
    return createUser(iam, name, statements, managedPolicyArns);
  }

  /**
   * Every authorisation made so far for `principal` (all of them without one), in order. moto writes
   * a decision before it answers, but its stderr may reach this process after the answer does: a
   * last request of the harness's own, read back, marks the end of what came before it.
   */
  async decisions(principal?: Principal): Promise<IamDecision[]> {
    const administrator = (await this.allDecisions()).filter((decision) => decision.action === 'iam:GetUser');
    await new IAMClient({ endpoint: this.endpoint, region: REGION, credentials: this.administrator }).send(
      new GetUserCommand({ UserName: ADMINISTRATOR }),
    );
    for (
      let waited = 0;
      (await this.allDecisions()).filter((decision) => decision.action === 'iam:GetUser').length <=
      administrator.length;
      waited += 20
    ) {
      if (waited > 10_000) throw new Error("moto's decision for the harness's own request never came");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return (await this.allDecisions()).filter(
      (decision) => principal === undefined || decision.principal === principal.arn,
    );
  }

  private async allDecisions(): Promise<IamDecision[]> {
    return this.moto.stderrLines
      .filter((line) => line.startsWith(DECISION_MARKER))
      .map((line) => JSON.parse(line.slice(DECISION_MARKER.length)) as IamDecision);
  }

  /**
   * Every call `principal` made that `statements` (the policy it was given) do not allow, as
   * `<action> on <resource>`: those moto refused, and those moto let through although every
   * statement allowing them has a condition the request does not meet (moto evaluates none; see
   * iam_enforcement.py).
   */
  async refusedCalls(principal: Principal, statements: readonly StatementJson[]): Promise<string[]> {
    return (await this.decisions(principal)).flatMap((decision) => {
      const call = `${decision.action} on ${decision.resource}`;
      if (!decision.allowed) return [`${call}: refused by moto`];
      const allowing = statements.filter((statement) =>
        statementAllows(statement, decision.action, decision.resource),
      );
      if (allowing.length === 0 || allowing.some((statement) => conditionsHold(statement, decision.context)))
        return [];
      return [
        `${call} with ${JSON.stringify(decision.context)}: no condition of ${JSON.stringify(allowing.map((statement) => statement.Condition))} holds`,
      ];
    });
  }
}

/**
 * The calls `principal` made that a resource policy's Deny statements (`statements`, a bucket
 * policy as synthesized) refuse, as `<action> on <resource>`. moto does not evaluate bucket
 * policies; this evaluates them on what each request carried (see iam_enforcement.py), taken as
 * sent over TLS: the deployed functions' SDK speaks HTTPS to S3; only this moto is plain HTTP.
 */
export async function deniedByResourcePolicy(
  aws: MotoWithEnforcedIam,
  principal: Principal,
  statements: readonly StatementJson[],
): Promise<string[]> {
  return (await aws.decisions(principal))
    .filter((decision) =>
      statements.some((statement) =>
        statementDenies(statement, decision.action, decision.resource, {
          ...decision.context,
          'aws:SecureTransport': 'true',
        }),
      ),
    )
    .map((decision) => `${decision.action} on ${decision.resource}`);
}

async function createUser(
  iam: IAMClient,
  name: string,
  statements: readonly StatementJson[],
  managedPolicyArns: readonly string[],
): Promise<Principal> {
  const user = await iam.send(new CreateUserCommand({ UserName: name }));
  if (statements.length > 0)
    await iam.send(
      new PutUserPolicyCommand({
        UserName: name,
        PolicyName: 'granted',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      }),
    );
  for (const policyArn of managedPolicyArns)
    await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: policyArn }));
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return {
    arn: user.User!.Arn!,
    credentials: {
      accessKeyId: key.AccessKey!.AccessKeyId!,
      secretAccessKey: key.AccessKey!.SecretAccessKey!,
    },
  };
}
