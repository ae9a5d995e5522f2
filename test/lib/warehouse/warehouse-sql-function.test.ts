import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { WarehouseSqlFunction } from '../../../lib/warehouse/warehouse-sql-function.js';
import { appWithProjectFlags } from '../../support/pipeline-app.js';

function warehouseSqlFunction(timeout?: Duration) {
  const stack = new Stack(appWithProjectFlags(), 'Warehouse');
  const credentials = new Secret(stack, 'Credentials');
  const sqlFunction = new WarehouseSqlFunction(stack, 'Runner', {
    entry: 'lambdas/sql-runner/handler.ts',
    description: 'under test',
    credentials,
    timeout,
  });
  return { stack, sqlFunction };
}

describe('WarehouseSqlFunction', () => {
  it('GIVEN a 300-second timeout THEN Snowflake cancels a statement or a lock wait after 240 seconds, before Lambda stops the function', () => {
    // GIVEN / WHEN
    const { stack } = warehouseSqlFunction(Duration.seconds(300));

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 300,
      Environment: {
        Variables: {
          SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS: '240',
          SNOWFLAKE_LOCK_TIMEOUT_SECONDS: '240',
          SNOWFLAKE_SECRET_ARN: { Ref: Match.stringLikeRegexp('^Credentials') },
          SQL_DIR: '/var/task/sql',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
  });

  it('GIVEN no timeout THEN it runs up to 15 minutes and Snowflake gives up after 14', () => {
    const { stack } = warehouseSqlFunction();
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 900,
      Environment: {
        Variables: { SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS: '840', SNOWFLAKE_LOCK_TIMEOUT_SECONDS: '840' },
      },
    });
  });

  it('GIVEN a timeout under 120 seconds THEN it refuses it, saying what to use instead', () => {
    expect(() => warehouseSqlFunction(Duration.seconds(90))).toThrow(
      /Warehouse\/Runner: timeout is 90 seconds; use at least 120 \(Snowflake's statement and lock timeouts are set 60 seconds below it\)/,
    );
  });
});
