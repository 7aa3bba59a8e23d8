import { TABLE_SCHEMAS } from '../../../infra/data/schemas';
import { STAGES } from '../../../infra/data/stages';
import { validateDataConfig } from '../../../infra/validation';

describe('the monitoring policy and hot-key marks are validated', () => {
  // Plain mutable copies, so a test can break them in ways the types forbid.
  type Loose = any;
  function problemsAfter(edit: (tables: Loose, stages: Loose) => void): string[] {
    const schemas: Loose[] = structuredClone(TABLE_SCHEMAS) as Loose;
    const stages: Loose = structuredClone(STAGES);
    edit(Object.fromEntries(schemas.map((table) => [table.name, table])), stages);
    return validateDataConfig({ schemas, stages });
  }

  test('a stage without a monitoring block is rejected, naming the stage and field', () => {
    expect(problemsAfter((_t, stages) => delete stages.staging.monitoring)).toEqual([
      'stages.staging.monitoring: expected {alarms, contributorInsights, reason}, got undefined',
    ]);
  });

  test('switches that are not booleans and a missing reason are each rejected', () => {
    expect(
      problemsAfter((_t, stages) => {
        stages.prod.monitoring = { alarms: 'yes', contributorInsights: 1, reason: ' ' };
      }),
    ).toEqual([
      'stages.prod.monitoring.alarms: expected true or false, got "yes"',
      'stages.prod.monitoring.contributorInsights: expected true or false, got 1',
      'stages.prod.monitoring.reason: expected one line on why the stage watches this much, got " "',
    ]);
  });

  test('Contributor Insights without alarms is rejected', () => {
    expect(problemsAfter((_t, stages) => (stages.dev.monitoring.contributorInsights = true))).toEqual([
      'stages.dev.monitoring.contributorInsights: on without alarms; hot keys are looked up when an alarm fires, so turn alarms on or this off',
    ]);
  });

  test('a stage with alarms and no subscription, or a subscription without alarms, is rejected', () => {
    expect(problemsAfter((_t, stages) => delete stages.prod.monitoring.notify)).toEqual([
      'stages.prod.monitoring.notify: missing; a stage with alarms names who the alarm topic notifies ({protocol, endpoint}), so the subscription is part of the template',
    ]);
    expect(problemsAfter((_t, stages) => (stages.dev.monitoring.notify = { protocol: 'email', endpoint: 'a@b.example' }))).toEqual([
      'stages.dev.monitoring.notify: set, but the stage has no alarms and so no topic to subscribe to',
    ]);
  });

  test.each([
    [{ protocol: 'sms', endpoint: '+15555550100' }, 'stages.prod.monitoring.notify.protocol: "sms" is not one of email, https'],
    [{ protocol: 'email', endpoint: 'on call@example' }, 'stages.prod.monitoring.notify.endpoint: "on call@example" is not an email address'],
    [{ protocol: 'https', endpoint: 'http://hooks.example/x' }, 'stages.prod.monitoring.notify.endpoint: "http://hooks.example/x" is not an https URL without credentials in it'],
    [{ protocol: 'https', endpoint: 'https://user:secret@hooks.example/x' }, 'stages.prod.monitoring.notify.endpoint: "https://user:secret@hooks.example/x" is not an https URL without credentials in it'],
    ['oncall', 'stages.prod.monitoring.notify: expected {protocol, endpoint}, got "oncall"'],
  ])('a subscription %j is rejected', (notify, problem) => {
    expect(problemsAfter((_t, stages) => (stages.prod.monitoring.notify = notify))).toEqual([problem]);
  });

  test('a stage name that makes a security rule name longer than EventBridge\'s 64 characters is rejected', () => {
    expect(problemsAfter((_t, stages) => (stages['a-very-long-stage-name'] = structuredClone(stages.staging)))).toEqual([
      'stages.a-very-long-stage-name: security rule name inavor-shuttle-a-very-long-stage-name-table-protection-changed-by-deploy is 72 characters; EventBridge allows at most 64',
    ]);
  });

  test('an https subscription is accepted', () => {
    expect(problemsAfter((_t, stages) => (stages.prod.monitoring.notify = { protocol: 'https', endpoint: 'https://hooks.example/oncall' }))).toEqual([]);
  });

  test('a hotKeyProne mark without a reason is rejected on a table and on an index', () => {
    expect(
      problemsAfter((t) => {
        t.Shops.hotKeyProne = true;
        t.Jobs.indexes[1].hotKeyProne = { reason: '' };
      }),
    ).toEqual([
      'Shops.hotKeyProne: expected {reason} saying which key values run hot, got true',
      'Jobs.indexes[1].hotKeyProne: expected {reason} saying which key values run hot, got {"reason":""}',
    ]);
  });
});
