import { TABLE_SCHEMAS } from '../../../infra/data/schemas';
import { STAGES, STAGE_NAMES } from '../../../infra/data/stages';
import { validateDataConfig, validateSchemaMap, validateStages } from '../../../infra/validation';
import { problemsAfter } from '../../support/data-config-problems';

test('the committed schema map and stage config have no problems', () => {
  expect(validateDataConfig({ schemas: TABLE_SCHEMAS, stages: STAGES, requestedStages: STAGE_NAMES })).toEqual([]);
});

test('an unknown requested stage is rejected with the valid stages', () => {
  expect(problemsAfter(() => undefined, ['qa'])).toEqual(['Unknown stage "qa"; valid stages: dev, staging, prod.']);
});

test('every problem across tables and stages is reported at once', () => {
  const problems = problemsAfter(
    (t, stages) => {
      t.Shops.partitionKey.type = 'BOOL';
      t.Jobs.indexes[1].projection.type = 'SOME';
      t.ImportHistory.ttl.retentionDays = 0;
      stages.dev.pitrRecoveryPeriodDays = 40;
    },
    ['qa'],
  );
  expect(problems).toEqual([
    'Shops.partitionKey.type: "BOOL" is not a key type (S, N, B)',
    'Jobs.indexes[1].projection.type: "SOME" is not a projection type (ALL, KEYS_ONLY, INCLUDE)',
    'ImportHistory.ttl.retentionDays: 0 is not a positive whole number of days',
    'stages.dev.pitrRecoveryPeriodDays: 40 is outside 1-35 days (whole days only)',
    'Unknown stage "qa"; valid stages: dev, staging, prod.',
  ]);
});

test('input that is not a map of tables or a stage config is rejected without throwing', () => {
  expect(validateSchemaMap({ Shops: {} }, ['dev'])).toEqual(['schema map: expected a list of tables, got {"Shops":{}}']);
  expect(validateSchemaMap([null], ['dev'])).toEqual(['tables[0]: expected a table, got null']);
  expect(validateStages({})).toEqual(['stages: expected at least one stage']);
});
