import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { controlTowerFindings } from '../infra/control-tower';
import { applyNag } from '../infra/nag';
import { STAGE_NAMES, dataStackName } from '../infra/stages';
import { synthAllStages, type SynthesizedStages } from './support/synth';

const ANY_PROJECT_PACK_FINDING = Match.stringLikeRegexp('^(AwsSolutions|DataProtection)-.*');

let synthesized: SynthesizedStages;
let fixture: Stack;
/** Control Tower findings, one line each (`[CT.KMS.PR.3] <logical id>`), by stack. */
const controlTower = new Map<Stack, string[]>();
beforeAll(() => {
  synthesized = synthAllStages();
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
  const stageAssembly = synthesized.app.synth();
  const stackOf = new Map<string, Stack>([
    ...STAGE_NAMES.map((stage) => [stageAssembly.getStackByName(dataStackName(stage)).templateFullPath, synthesized.stacks[stage]] as const),
    [fixtureTemplate, fixture],
  ]);
  for (const stack of stackOf.values()) controlTower.set(stack, []);
  for (const finding of controlTowerFindings([...stackOf.keys()])) {
    controlTower.get(stackOf.get(finding.templatePath)!)!.push(`[${finding.control}] ${finding.resource}`);
  }
});

describe.each(['dev', 'staging', 'prod'] as const)('AwsSolutions and DataProtection nag on the %s stack', (stage) => {
  test('reports no error', () => {
    const errors = Annotations.fromStack(synthesized.stacks[stage]).findError('*', ANY_PROJECT_PACK_FINDING);
    expect(errors).toEqual([]);
  });

  test('reports no warning', () => {
    const warnings = Annotations.fromStack(synthesized.stacks[stage]).findWarning('*', ANY_PROJECT_PACK_FINDING);
    expect(warnings).toEqual([]);
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
    expect(controlTower.get(synthesized.stacks[stage])).toEqual([]);
  });
});

describe('AWS Control Tower proactive controls on a non-compliant fixture', () => {
  const logicalId = (id: string) => fixture.getLogicalId(fixture.node.findChild(id).node.defaultChild as kms.CfnKey);

  test('a key with CDK\'s default policy fails CT.KMS.PR.3 (grants not limited to AWS services), and CT.KMS.PR.1 without rotation', () => {
    expect(controlTower.get(fixture)!.filter((finding) => finding.endsWith(logicalId('DefaultKey'))).sort()).toEqual([
      `[CT.KMS.PR.1] ${logicalId('DefaultKey')}`,
      `[CT.KMS.PR.3] ${logicalId('DefaultKey')}`,
    ]);
  });
});
