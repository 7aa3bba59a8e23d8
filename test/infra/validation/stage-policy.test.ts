import { RegionInfo } from 'aws-cdk-lib/region-info';
import { STAGE_NAMES } from '../../../infra/data/stages';
import { AWS_REGIONS } from '../../../infra/validation';
import { type Loose, problemsAfter } from '../../support/data-config-problems';

describe('stage config', () => {
  test.each([0, 36, 7.5, undefined])('a PITR recovery period of %p days is rejected', (days) => {
    expect(problemsAfter((_t, stages) => (stages.prod.pitrRecoveryPeriodDays = days))).toEqual([
      `stages.prod.pitrRecoveryPeriodDays: ${days} is outside 1-35 days (whole days only)`,
    ]);
  });

  test.each([1, 35])('a PITR recovery period of %p days is accepted', (days) => {
    expect(problemsAfter((_t, stages) => (stages.dev.pitrRecoveryPeriodDays = days))).toEqual([]);
  });

  test('a protectData that is not a boolean is rejected', () => {
    expect(problemsAfter((_t, stages) => (stages.staging.protectData = 'yes'))).toEqual([
      'stages.staging.protectData: expected true or false, got "yes"',
    ]);
  });
});

describe('stage region', () => {
  test.each([
    ['us-east-l', '"us-east-l"'],
    ['', '""'],
    ['US-EAST-1', '"US-EAST-1"'],
    ['eu-west-9', '"eu-west-9"'],
    ['us-east-1 ', '"us-east-1 "'],
    [undefined, 'undefined'],
  ])('region %p is rejected', (region, shown) => {
    expect(problemsAfter((_t, stages) => (stages.prod.region = region))).toEqual([
      `stages.prod.region: ${shown} is not an AWS region name (e.g. us-east-1)`,
    ]);
  });

  test.each(['eu-central-2', 'ap-southeast-7', 'mx-central-1', 'us-gov-west-1', 'cn-northwest-1'])('region %p is accepted', (region) => {
    expect(problemsAfter((_t, stages) => (stages.prod.region = region))).toEqual([]);
  });

  test('the region list holds exactly the commercial, GovCloud and China regions aws-cdk-lib knows', () => {
    const known = RegionInfo.regions
      .filter((region) => ['aws', 'aws-us-gov', 'aws-cn'].includes(region.partition ?? ''))
      .map((region) => region.name);
    expect([...AWS_REGIONS].sort()).toEqual(known.sort());
  });
});

describe('stage tags (AWS limits)', () => {
  const tagProblems = (edit: (tags: Record<string, unknown>) => void) => problemsAfter((_t, stages) => edit(stages.prod.tags));

  test.each([
    ['a value of 257 characters', (tags: Loose) => (tags.Owner = 'v'.repeat(257)), 'stages.prod.tags["Owner"]: the value is 257 characters; AWS allows at most 256'],
    ['a key of 129 characters', (tags: Loose) => (tags['k'.repeat(129)] = 'v'), `stages.prod.tags["${'k'.repeat(129)}"]: the key is 129 characters; AWS allows 1-128`],
    ['an empty key', (tags: Loose) => (tags[''] = 'v'), 'stages.prod.tags[""]: the key is 0 characters; AWS allows 1-128'],
    ['a key starting with aws:', (tags: Loose) => (tags['aws:team'] = 'data'), 'stages.prod.tags["aws:team"]: keys starting with "aws:" (in any case) are reserved for AWS'],
    ['a key starting with AWS: in capitals', (tags: Loose) => (tags['AWS:Team'] = 'data'), 'stages.prod.tags["AWS:Team"]: keys starting with "aws:" (in any case) are reserved for AWS'],
    ['a key with a character outside the set', (tags: Loose) => (tags['cost#centre'] = '42'), 'stages.prod.tags["cost#centre"]: the key may hold only letters, digits, spaces and _ . : / = + - @'],
    ['a value with a character outside the set', (tags: Loose) => (tags.Owner = 'data*team'), 'stages.prod.tags["Owner"]: the value may hold only letters, digits, spaces and _ . : / = + - @'],
    ['a value that is not a string', (tags: Loose) => (tags.Owner = 42), 'stages.prod.tags["Owner"]: expected a string value, got 42'],
    ['51 tags', (tags: Loose) => {
      for (let i = 0; Object.keys(tags).length < 51; i++) tags[`extra${i}`] = 'x';
    }, 'stages.prod.tags: 51 tags; AWS allows at most 50 user tags per resource'],
  ])('%s is rejected', (_case, edit, message) => {
    expect(tagProblems(edit)).toEqual([message]);
  });

  test('tags that are not a map are rejected', () => {
    expect(problemsAfter((_t, stages) => (stages.dev.tags = ['Project']))).toEqual([
      'stages.dev.tags: expected a map of tag keys to values, got ["Project"]',
    ]);
  });

  test.each([
    ['a value of 256 characters and an empty value', (tags: Loose) => Object.assign(tags, { Owner: 'v'.repeat(256), Note: '' })],
    ['a key of 128 characters, counted in characters not bytes', (tags: Loose) => (tags['é'.repeat(128)] = 'v')],
    ['letters of any language, spaces and every allowed symbol', (tags: Loose) => (tags['Équipe données'] = 'a_b.c:d/e=f+g-h@i 日本')],
    ['50 tags', (tags: Loose) => {
      for (let i = 0; Object.keys(tags).length < 50; i++) tags[`extra${i}`] = 'x';
    }],
  ])('%s is accepted', (_case, edit) => {
    expect(tagProblems(edit)).toEqual([]);
  });
});

describe('stage names and the stack and export names made from them', () => {
  /** The stage config with dev (which has no alarms, so no security rule names) renamed. */
  const renamed = (name: string) =>
    problemsAfter((_t, stages) => {
      stages[name] = stages.dev;
      delete stages.dev;
    });
  const STAGE_RULE =
    'is not a stage name: a lowercase letter, then lowercase letters, digits and single hyphens, not ending in a hyphen (it becomes part of stack, export, table and KMS alias names)';

  test.each(['Prod', '1st', 'qa-', 'qa--eu'])('stage name %p is rejected', (name) => {
    expect(renamed(name)).toEqual([`stages.${name}: "${name}" ${STAGE_RULE}`]);
  });

  test('a stage name with a character CloudFormation forbids in stack names is rejected for both', () => {
    expect(renamed('qa_eu')).toEqual([
      `stages.qa_eu: "qa_eu" ${STAGE_RULE}`,
      "stages.qa_eu: stack name InavorShuttleData-qa_eu breaks CloudFormation's rule: a letter, then letters, digits and hyphens",
    ]);
  });

  test('an empty stage name is rejected', () => {
    expect(renamed('')).toEqual([`stages.: "" ${STAGE_RULE}`]);
  });

  test('a stage name that makes the stack name longer than 128 characters is rejected', () => {
    const name = 'a'.repeat(111);
    expect(renamed(name)).toContain(`stages.${name}: stack name InavorShuttleData-${name} is 129 characters; CloudFormation allows at most 128`);
  });

  test('a stage name that makes a data-access role name longer than 64 characters is rejected, naming the longest', () => {
    const name = 'a'.repeat(34);
    expect(renamed(name)).toEqual([`stages.${name}: role name inavor-shuttle-${name}-token-refresher is 65 characters; IAM allows at most 64`]);
  });

  test.each(['qa', 'eu-prod-2', 'a'.repeat(33)])('stage name %p is accepted', (name) => {
    expect(renamed(name)).toEqual([]);
  });

  test('a table name with a character export names forbid is rejected', () => {
    expect(problemsAfter((t) => (t.Shops.name = 'Shops_v2'))).toEqual([
      'Shops_v2.name: "Shops_v2" is part of export names such as InavorShuttleData-dev-Shops_v2TableName, which CloudFormation limits to letters, digits, hyphens and colons',
    ]);
  });

  test('a table name that makes an export name longer than 255 characters is rejected per stage', () => {
    const name = 'x'.repeat(230);
    expect(problemsAfter((t) => (t.Shops.name = name))).toEqual(
      STAGE_NAMES.map((stage) => {
        const exportName = `InavorShuttleData-${stage}-${name}TableName`;
        return `${name}.name: export name ${exportName} of stage ${stage} is ${exportName.length} characters; CloudFormation allows at most 255`;
      }),
    );
  });
});
