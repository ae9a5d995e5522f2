import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LakeStorage } from '../../../lib/lake/lake-storage.js';
import { SnowflakeAccess } from '../../../lib/warehouse/snowflake-access.js';
import { appWithProjectFlags } from '../../support/pipeline-app.js';

function snowflakeAccessTemplate(props: Partial<ConstructorParameters<typeof SnowflakeAccess>[2]> = {}) {
  const stack = new Stack(appWithProjectFlags(), 'Stateful');
  const lake = new LakeStorage(stack, 'Lake');
  new SnowflakeAccess(stack, 'Snowflake', { lake, ...props });
  return Template.fromStack(stack);
}

describe('SnowflakeAccess', () => {
  it('GIVEN no storage integration yet THEN nobody may assume the lake-reader role, whatever the Allow statement IAM requires says', () => {
    const template = snowflakeAccessTemplate();
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles).toHaveLength(1);
    const statements = roles[0]!.Properties.AssumeRolePolicyDocument.Statement as {
      Effect: string;
      Principal: unknown;
      Action: string | string[];
      Condition?: unknown;
    }[];
    const denials = statements.filter((statement) => statement.Effect === 'Deny');
    expect(denials).toEqual([
      {
        Sid: 'NobodyUntilTheStorageIntegrationIsConfigured',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'],
      },
    ]);
    // Every action an Allow statement names is one the unconditional Deny names.
    const allowed = statements
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => [statement.Action].flat());
    expect(allowed.length).toBeGreaterThan(0);
    expect(allowed.filter((action) => !denials[0]!.Action.includes(action))).toEqual([]);
  });

  it("GIVEN the integration's IAM user and external id THEN only that user, sending that id, may assume the role", () => {
    const template = snowflakeAccessTemplate({
      storageIntegration: {
        iamUserArn: 'arn:aws:iam::999999999999:user/abc0-s-xyz',
        externalId: 'ORG_SFCRole=2_x',
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::999999999999:user/abc0-s-xyz' },
            Condition: { StringEquals: { 'sts:ExternalId': 'ORG_SFCRole=2_x' } },
          },
        ],
      },
    });
  });

  it('THEN the role reads objects under bronze/ only, and writes nothing', () => {
    const template = snowflakeAccessTemplate();
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(1);
    const statements = policies[0]!.Properties.PolicyDocument.Statement as {
      Action: string[];
      Resource: unknown[];
    }[];
    const actions = statements.flatMap((statement) => statement.Action);
    expect(actions.some((action) => /Put|Delete|\*$/.test(action) && !/^s3:(Get|List)/.test(action))).toBe(
      false,
    );
    const objectResources = statements
      .flatMap((statement) => statement.Resource)
      .filter((resource) => JSON.stringify(resource).includes('/'));
    expect(objectResources).toHaveLength(1);
    expect(JSON.stringify(objectResources[0])).toMatch(
      /^\{"Fn::Join":\["",\[\{"Fn::GetAtt":\["LakeBucket\w+","Arn"\]\},"\/bronze\/\*"\]\]\}$/,
    );
  });

  it('THEN the credentials secret is retained by default and says what JSON it holds', () => {
    const template = snowflakeAccessTemplate();
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: {
        Description: Match.stringLikeRegexp('\\{account, user, private_key, warehouse, database, role\\}'),
      },
    });
  });
});
