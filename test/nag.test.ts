import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { applyNag } from '../infra/nag';
import { STAGE_NAMES } from '../infra/stages';
import { stageMessages } from './support/cdk-out';

let fixture: Stack;
beforeAll(() => {
  // A deliberately non-compliant stack under the same nag wiring proves the gate can fail.
  const app = new App();
  fixture = new Stack(app, 'NonCompliantFixture');
  new dynamodb.Table(fixture, 'NoPitrTable', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  });
  new kms.Key(fixture, 'UnrotatedKey', { enableKeyRotation: false });
  applyNag(app, { reports: false });
  app.synth();
});

describe.each(STAGE_NAMES)('AwsSolutions and DataProtection nag on the %s stack', (stage) => {
  const findings = (level: string) =>
    stageMessages(stage).filter((message) => message.level === level && /^(AwsSolutions|DataProtection)-/.test(String(message.entry.data)));

  test('reports no error', () => {
    expect(findings('error')).toEqual([]);
  });

  test('reports no warning', () => {
    expect(findings('warning')).toEqual([]);
  });
});

describe('the nag gate on a non-compliant fixture', () => {
  test('reports a DynamoDB table without point-in-time recovery as warning AwsSolutions-DDB3', () => {
    Annotations.fromStack(fixture).hasWarning(
      '/NonCompliantFixture/NoPitrTable/Resource',
      Match.stringLikeRegexp('AwsSolutions-DDB3'),
    );
  });

  test('reports a KMS key without rotation as error AwsSolutions-KMS5', () => {
    Annotations.fromStack(fixture).hasError(
      '/NonCompliantFixture/UnrotatedKey/Resource',
      Match.stringLikeRegexp('AwsSolutions-KMS5'),
    );
  });
});
