import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { controlTowerFindings } from '../../../../infra/cdk/control-tower';
import { applyNag } from '../../../../infra/cdk/nag/nag';
import { STAGE_NAMES, dataStackName } from '../../../../infra/data/stages';
import { cdkOutDir, stageMessages } from '../../../support/cdk-out';

let fixture: Stack;
/** Control Tower findings, one line each (`[CT.KMS.PR.3] <logical id>`), by stack name. */
const controlTower = new Map<string, string[]>();
beforeAll(() => {
  // A deliberately non-compliant stack under the same nag wiring proves the gate can fail.
  const app = new App();
  fixture = new Stack(app, 'NonCompliantFixture');
  new dynamodb.Table(fixture, 'NoPitrTable', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  });
  new kms.Key(fixture, 'UnrotatedKey', { enableKeyRotation: false });
  new kms.Key(fixture, 'DefaultKey');
  applyNag(app, { reports: false });
  const fixtureTemplate = app.synth().getStackByName(fixture.stackName).templateFullPath;

  // One cfn-guard run over every stage's template and the fixture's.
  const stackOf = new Map<string, string>([
    ...STAGE_NAMES.map((stage) => [join(cdkOutDir(), `${dataStackName(stage)}.template.json`), dataStackName(stage)] as const),
    [fixtureTemplate, fixture.stackName],
  ]);
  for (const stack of stackOf.values()) controlTower.set(stack, []);
  for (const finding of controlTowerFindings([...stackOf.keys()])) {
    controlTower.get(stackOf.get(finding.templatePath)!)!.push(`[${finding.control}] ${finding.resource}`);
  }
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

describe.each(STAGE_NAMES)('AWS Control Tower proactive controls on the %s stack', (stage) => {
  test('report no failure (CT.KMS.PR.1, .2 and .3 among them)', () => {
    expect(controlTower.get(dataStackName(stage))).toEqual([]);
  });
});

describe('AWS Control Tower proactive controls on a non-compliant fixture', () => {
  const logicalId = (id: string) => fixture.getLogicalId(fixture.node.findChild(id).node.defaultChild as kms.CfnKey);

  test('a key with CDK\'s default policy fails CT.KMS.PR.3 (grants not limited to AWS services), and CT.KMS.PR.1 without rotation', () => {
    expect(controlTower.get(fixture.stackName)!.filter((finding) => finding.endsWith(logicalId('DefaultKey'))).sort()).toEqual([
      `[CT.KMS.PR.1] ${logicalId('DefaultKey')}`,
      `[CT.KMS.PR.3] ${logicalId('DefaultKey')}`,
    ]);
  });
});
