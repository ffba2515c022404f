import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BY_CATEGORY_INDEX, BY_STATUS_INDEX } from '../../functions/adapters/dynamodb-routing-log.js';
import { templateOf } from './stack-fixture.js';

describe('RoutingLogTable', () => {
  let template: Template;

  beforeAll(() => {
    template = templateOf();
  });

  it('is keyed by message id with the byCategory and byStatus indexes the adapter queries', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: BY_CATEGORY_INDEX,
          KeySchema: [
            { AttributeName: 'category', KeyType: 'HASH' },
            { AttributeName: 'receivedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: BY_STATUS_INDEX,
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'receivedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  it('bills per request, keeps point-in-time recovery, expires records on expiresAt, and resists deletion', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: {
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
        },
      }),
    });
  });

  it('declares only string key attributes', () => {
    const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
    const definitions = (tables[0]!.Properties as { AttributeDefinitions: { AttributeType: string }[] })
      .AttributeDefinitions;

    expect(definitions.map((definition) => definition.AttributeType)).toEqual(['S', 'S', 'S', 'S']);
  });
});
