import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { JsonPath } from 'aws-cdk-lib/aws-stepfunctions';
import {
  DynamoAttributeValue,
  DynamoDeleteItem,
  DynamoGetItem,
  DynamoPutItem,
} from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/** The error a DynamoDB task raises when its condition does not hold. */
export const CONDITION_FAILED = 'DynamoDB.ConditionalCheckFailedException';

/**
 * The lease's one item: `{lease: "pipeline-run", holder: <execution ARN>}`. When the holder started is
 * DescribeExecution's to say, so the item holds nothing a clock wrote.
 */
const LEASE_KEY = { lease: DynamoAttributeValue.fromString('pipeline-run') };
const THIS_EXECUTION = JsonPath.stringAt('$$.Execution.Id');

/**
 * The pipeline run's lease: a DynamoDB table with one item, held by the Step Functions execution
 * that is loading and transforming, so that two runs never work at the same time. Its states are
 * built here, next to the table, so that the item's shape and the conditions that make it a lease
 * are written down once; each state carries its own IAM statement (PutItem, GetItem or DeleteItem
 * on this table alone), which aws-cdk-lib adds to the role of the state machine that uses it.
 *
 * The table holds nothing but the lock: removing it loses no data, and a lease lost with it is
 * simply taken by the next run. Hence RemovalPolicy.DESTROY and no point-in-time recovery.
 */
export class RunLease extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'lease', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.table).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'The table holds only the pipeline run lease, a lock: there is nothing to recover. Losing the item frees the lease, which the next run takes.',
    });
  }

  /**
   * `putItem` of the lease for this execution, if nobody holds it or this execution already does
   * (re-entrant: a redriven execution keeps its own lease). Fails with {@link CONDITION_FAILED}
   * when another execution holds it.
   */
  take(scope: Construct, stateName: string): DynamoPutItem {
    return DynamoPutItem.jsonPath(scope, stateName, {
      comment: 'Free, or already held by this execution: take it.',
      table: this.table,
      item: this.itemHeldByThisExecution(),
      conditionExpression: 'attribute_not_exists(lease) OR holder = :me',
      expressionAttributeValues: { ':me': DynamoAttributeValue.fromString(THIS_EXECUTION) },
      resultPath: JsonPath.DISCARD,
    });
  }

  /** `getItem` of the lease, strongly consistent, to `resultPath` (`Item` is absent when the lease is free). */
  read(scope: Construct, stateName: string, resultPath: string): DynamoGetItem {
    return DynamoGetItem.jsonPath(scope, stateName, {
      comment: 'Who holds the lease now (no Item: it was released since).',
      table: this.table,
      key: LEASE_KEY,
      consistentRead: true,
      resultPath,
    });
  }

  /**
   * `putItem` of the lease for this execution, if the holder is still the stale one found at
   * `staleHolderPath`: a compare-and-swap, so of two runs taking over the same stale lease one
   * wins and the other fails with {@link CONDITION_FAILED}.
   */
  takeOver(scope: Construct, stateName: string, staleHolderPath: string): DynamoPutItem {
    return DynamoPutItem.jsonPath(scope, stateName, {
      comment: 'Its holder has ended: take the lease, if nobody took it first.',
      table: this.table,
      item: this.itemHeldByThisExecution(),
      conditionExpression: 'holder = :stale',
      expressionAttributeValues: {
        ':stale': DynamoAttributeValue.fromString(JsonPath.stringAt(staleHolderPath)),
      },
      resultPath: JsonPath.DISCARD,
    });
  }

  /**
   * `deleteItem` of the lease, if this execution holds it. Fails with {@link CONDITION_FAILED}
   * when the item is not this execution's any more (deleted by hand, or taken over while this
   * execution had ended, before a redrive): there is nothing of its own to release then.
   */
  release(scope: Construct, stateName: string): DynamoDeleteItem {
    return DynamoDeleteItem.jsonPath(scope, stateName, {
      table: this.table,
      key: LEASE_KEY,
      conditionExpression: 'holder = :me',
      expressionAttributeValues: { ':me': DynamoAttributeValue.fromString(THIS_EXECUTION) },
      resultPath: JsonPath.DISCARD,
    });
  }

  private itemHeldByThisExecution() {
    return {
      ...LEASE_KEY,
      holder: DynamoAttributeValue.fromString(THIS_EXECUTION),
    };
  }
}
