import { STAGES } from '../../../infra/data/stages';
import { validateStages } from '../../../infra/validation';

// The stage config as plain mutable data, so a test can break it in ways the types forbid.
type Loose = any;

function problemsAfter(edit: (stages: Loose) => void): string[] {
  const stages: Loose = structuredClone(STAGES);
  edit(stages);
  return validateStages(stages);
}

describe("validation of a stage's backup block", () => {
  test('the committed backup blocks have no problems', () => {
    expect(validateStages(STAGES)).toEqual([]);
  });

  test('a stage that protects its data but has no backup rule is rejected', () => {
    expect(problemsAfter((stages) => (stages.staging.backup.rules = []))).toEqual([
      'stages.staging.backup.rules: empty, but the stage protects its data; a protected stage needs at least one backup rule',
    ]);
  });

  test('a missing backup block is rejected naming stage and field', () => {
    expect(problemsAfter((stages) => delete stages.dev.backup)).toEqual([
      'stages.dev.backup: expected {rules, reason}, got undefined',
    ]);
  });

  test('a bad rule reports every broken field with its position', () => {
    expect(
      problemsAfter((stages) => {
        stages.prod.backup.rules[1] = { name: 'daily', schedule: 'hourly', retentionDays: 0, reason: '' };
      }),
    ).toEqual([
      'stages.prod.backup.rules[1].name: "daily" is also the name of rules[0]',
      'stages.prod.backup.rules[1].schedule: "hourly" is not a schedule (daily, weekly, monthly)',
      'stages.prod.backup.rules[1].retentionDays: 0 is not a positive whole number of days',
      'stages.prod.backup.rules[1].reason: expected one line on why this rule and this retention',
    ]);
  });

  test('a rule retention outside the vault lock and the air-gapped vault is rejected, since its backup and copy jobs would fail', () => {
    expect(problemsAfter((stages) => (stages.prod.backup.rules[1].retentionDays = 400))).toEqual([
      "stages.prod.backup.airGappedCopy: rules[1].retentionDays keeps 400 days, outside the air-gapped vault's 35-365 days, so every copy of the rule would fail",
      "stages.prod.backup.rules[1].retentionDays: 400 days is outside the vault lock's 35-365 days, so every backup job of the rule would fail",
    ]);
  });

  test('an air-gapped copy outside AWS Backup\'s 7-36500 days, with min above max, or without a reason is rejected', () => {
    expect(
      problemsAfter((stages) => {
        stages.prod.backup.airGappedCopy = { minRetentionDays: 6, maxRetentionDays: 36_501, reason: '' };
      }),
    ).toEqual([
      "stages.prod.backup.airGappedCopy.minRetentionDays: 6 is outside AWS Backup's 7-36500 days (whole days only)",
      "stages.prod.backup.airGappedCopy.maxRetentionDays: 36501 is outside AWS Backup's 7-36500 days (whole days only)",
      'stages.prod.backup.airGappedCopy.reason: expected one line on why the copy exists',
    ]);
    expect(problemsAfter((stages) => (stages.prod.backup.airGappedCopy = { minRetentionDays: 400, maxRetentionDays: 365, reason: 'test' }))).toEqual([
      'stages.prod.backup.airGappedCopy: minRetentionDays 400 is above maxRetentionDays 365',
      "stages.prod.backup.airGappedCopy: rules[0].retentionDays keeps 35 days, outside the air-gapped vault's 400-365 days, so every copy of the rule would fail",
      "stages.prod.backup.airGappedCopy: rules[1].retentionDays keeps 365 days, outside the air-gapped vault's 400-365 days, so every copy of the rule would fail",
    ]);
  });

  test('an air-gapped copy that is not an object, or on a stage without rules, is rejected', () => {
    expect(problemsAfter((stages) => (stages.prod.backup.airGappedCopy = 'yes'))).toEqual([
      'stages.prod.backup.airGappedCopy: expected {minRetentionDays, maxRetentionDays, reason}, got "yes"',
    ]);
    expect(problemsAfter((stages) => (stages.dev.backup.airGappedCopy = { minRetentionDays: 7, maxRetentionDays: 35, reason: 'test' }))).toEqual([
      'stages.dev.backup.airGappedCopy: set, but there is no rule whose recovery points it would copy',
    ]);
  });

  test('a vault lock with min above max, or a compliance grace time under 3 days, is rejected', () => {
    expect(
      problemsAfter((stages) => {
        stages.prod.backup.vaultLock = { minRetentionDays: 400, maxRetentionDays: 365, changeableForDays: 1, reason: 'test' };
      }),
    ).toEqual([
      'stages.prod.backup.vaultLock: minRetentionDays 400 is above maxRetentionDays 365',
      "stages.prod.backup.rules[0].retentionDays: 35 days is outside the vault lock's 400-365 days, so every backup job of the rule would fail",
      "stages.prod.backup.rules[1].retentionDays: 365 days is outside the vault lock's 400-365 days, so every backup job of the rule would fail",
      "stages.prod.backup.vaultLock.changeableForDays: 1 is not a whole number of days of at least 3 (AWS Backup's shortest grace time)",
    ]);
  });

  test('a copy needs a vault ARN, a retention and a reason', () => {
    expect(
      problemsAfter((stages) => (stages.staging.backup.copy = { destinationVaultArn: 'arn:aws:s3:::bucket', retentionDays: 7 })),
    ).toEqual([
      'stages.staging.backup.copy.destinationVaultArn: "arn:aws:s3:::bucket" is not a backup vault ARN (arn:aws:backup:<region>:<account>:backup-vault:<name>)',
      'stages.staging.backup.copy.reason: expected one line on why the copy exists',
    ]);
  });

  test('a copy or a vault lock on a stage without rules is rejected', () => {
    expect(
      problemsAfter((stages) => {
        stages.dev.backup.copy = { destinationVaultArn: 'arn:aws:backup:us-west-2:123456789012:backup-vault:dr', retentionDays: 7, reason: 'test' };
        stages.dev.backup.vaultLock = { minRetentionDays: 1, maxRetentionDays: 7, reason: 'test' };
      }),
    ).toEqual([
      'stages.dev.backup.copy: set, but there is no rule whose recovery points it would copy',
      'stages.dev.backup.vaultLock: set, but the stage has no backup rule and so no vault',
    ]);
  });
});
