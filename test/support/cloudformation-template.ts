import type { StatementJson } from './iam-statements.js';

/** A CloudFormation template, as much of it as the tests read. */
export interface TemplateJson {
  readonly Resources: Record<
    string,
    { readonly Type: string; readonly Properties?: Record<string, unknown> }
  >;
  readonly Outputs?: Record<string, { readonly Value: unknown }>;
}

/** What a role may do: its policies' statements, and the AWS-managed policies it has, by name. */
export interface RolePermissions {
  readonly role: string;
  readonly statements: readonly StatementJson[];
  readonly managedPolicies: readonly string[];
  /** The same, as the template writes their ARNs (references unresolved). */
  readonly managedPolicyArns: readonly unknown[];
}

/**
 * The statements of every AWS::IAM::Policy attached to the role (its DefaultPolicy and any other),
 * its inline policies, and the names of its managed policies.
 */
export function permissionsOfRole(template: TemplateJson, roleLogicalId: string): RolePermissions {
  const role = template.Resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not a role of the template`);
  const attached = Object.values(template.Resources)
    .filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' &&
        (resource.Properties?.Roles as unknown[] | undefined)?.some(
          (reference) => JSON.stringify(reference) === JSON.stringify({ Ref: roleLogicalId }),
        ),
    )
    .flatMap((policy) => (policy.Properties!.PolicyDocument as { Statement: StatementJson[] }).Statement);
  const inline = (
    (role.Properties?.Policies ?? []) as { PolicyDocument: { Statement: StatementJson[] } }[]
  ).flatMap((policy) => policy.PolicyDocument.Statement);
  const managedPolicyArns = (role.Properties?.ManagedPolicyArns ?? []) as unknown[];
  const managedPolicies = managedPolicyArns.map((arn) => flatten(arn).split('/').at(-1)!);
  return { role: roleLogicalId, statements: [...attached, ...inline], managedPolicies, managedPolicyArns };
}

/** A CloudFormation value as text, each reference as a `<placeholder>`. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return String(value);
  const record = value as Record<string, unknown>;
  if ('Fn::Join' in record) {
    const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(separator);
  }
  if ('Ref' in record) return `<${record.Ref}>`;
  if ('Fn::GetAtt' in record) return `<${(record['Fn::GetAtt'] as string[]).join('.')}>`;
  return `<${Object.keys(record)[0]}>`;
}

/** Where a template's references point once deployed: the values a test gives them. */
export interface DeployedValues {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** Every stack's template, by stack name, for `Fn::GetStackOutput`. */
  readonly templates: Readonly<Record<string, TemplateJson>>;
  /** Each resource a value refers to: by stack name, then logical id, its `Ref` and attributes. */
  readonly resources: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, string>>>>>>;
}

/**
 * `value` of stack `stackName`'s template with every intrinsic function resolved to `deployed`:
 * Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split, Fn::Sub (of pseudo parameters and resources)
 * and Fn::GetStackOutput (the output's value in the other stack's template, resolved there). A
 * reference `deployed` does not give fails, naming it: no value is guessed.
 */
export function resolveIntrinsics(value: unknown, stackName: string, deployed: DeployedValues): unknown {
  const resolve = (inner: unknown) => resolveIntrinsics(inner, stackName, deployed);
  const text = (inner: unknown): string => {
    const resolved = resolve(inner);
    if (typeof resolved !== 'string')
      throw new Error(`${stackName}: ${JSON.stringify(inner)} is not text once resolved`);
    return resolved;
  };
  if (Array.isArray(value)) return value.map(resolve);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const [name] = Object.keys(record);
  if (Object.keys(record).length !== 1 || !(name === 'Ref' || name!.startsWith('Fn::')))
    return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, resolve(inner)]));
  const argument = record[name!];
  switch (name) {
    case 'Ref':
      return attributeOf(String(argument), 'Ref', stackName, deployed);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = argument as [string, string];
      return attributeOf(logicalId, attribute, stackName, deployed);
    }
    case 'Fn::Join': {
      const [separator, parts] = argument as [string, unknown[]];
      return parts.map(text).join(separator);
    }
    case 'Fn::Select': {
      const [index, list] = argument as [number, unknown];
      const items = resolve(list) as unknown[];
      if (!Array.isArray(items) || items[Number(index)] === undefined)
        throw new Error(`${stackName}: Fn::Select ${index} of ${JSON.stringify(items)}`);
      return items[Number(index)];
    }
    case 'Fn::Split': {
      const [separator, source] = argument as [string, unknown];
      return text(source).split(separator);
    }
    case 'Fn::Sub':
      if (typeof argument !== 'string')
        throw new Error(`${stackName}: Fn::Sub with variables is not resolved`);
      return argument.replace(/\$\{([^}]+)\}/g, (_, reference: string) => {
        const [logicalId, attribute] = reference.split('.');
        return attributeOf(logicalId!, attribute ?? 'Ref', stackName, deployed);
      });
    case 'Fn::GetStackOutput': {
      const { StackName, OutputName } = argument as { StackName: string; OutputName: string };
      const output = deployed.templates[StackName]?.Outputs?.[OutputName];
      if (output === undefined)
        throw new Error(`${stackName}: stack ${StackName} has no output ${OutputName}`);
      return resolveIntrinsics(output.Value, StackName, deployed);
    }
    default:
      throw new Error(`${stackName}: ${name} is not resolved (in ${JSON.stringify(value)})`);
  }
}

function attributeOf(
  logicalId: string,
  attribute: string,
  stackName: string,
  deployed: DeployedValues,
): string {
  if (attribute === 'Ref') {
    if (logicalId === 'AWS::Partition') return deployed.partition;
    if (logicalId === 'AWS::Region') return deployed.region;
    if (logicalId === 'AWS::AccountId') return deployed.account;
  }
  const given = deployed.resources[stackName]?.[logicalId]?.[attribute];
  if (given === undefined)
    throw new Error(
      `${stackName}: ${logicalId}.${attribute} has no deployed value: give it in the test's resources`,
    );
  return given;
}
