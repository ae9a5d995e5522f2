import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { RunLease } from '../../../lib/orchestration/run-lease.js';
import { appWithProjectFlags } from '../../support/pipeline-app.js';

describe('RunLease', () => {
  it('GIVEN a lease THEN its table is keyed by the string "lease", pay-per-request, and deleted with the stack', () => {
    // GIVEN / WHEN
    const stack = new Stack(appWithProjectFlags(), 'Warehouse');
    new RunLease(stack, 'RunLease');

    // THEN
    Template.fromStack(stack).templateMatches({
      Resources: {
        RunLeaseTableC2C696CE: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            KeySchema: [{ AttributeName: 'lease', KeyType: 'HASH' }],
            AttributeDefinitions: [{ AttributeName: 'lease', AttributeType: 'S' }],
            BillingMode: 'PAY_PER_REQUEST',
          },
          DeletionPolicy: 'Delete',
          UpdateReplacePolicy: 'Delete',
        },
      },
    });
  });

  it('GIVEN a lease THEN the point-in-time-recovery finding is acknowledged on its table alone, saying it holds only a lock', () => {
    const stack = new Stack(appWithProjectFlags(), 'Warehouse');
    const lease = new RunLease(stack, 'RunLease');
    const acknowledged = (construct: { node: { metadata: { type: string; data: unknown }[] } }) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
    expect(acknowledged(lease.table)).toEqual([
      [
        expect.stringMatching(/AwsSolutions-DDB3$/),
        expect.stringMatching(/only the pipeline run lease, a lock/),
      ],
    ]);
    expect(acknowledged(lease)).toEqual([]);
  });
});
