/** A stage's AWS Backup block: rules, the copy to another vault and the vault lock. */

import { BACKUP_SCHEDULES } from '../data/stages';
import { isPositiveInteger, isReason, isRecord, show, type Report } from './common';

/** AWS Backup's rule-name pattern. */
const BACKUP_RULE_NAME = /^[a-zA-Z0-9_.-]{1,50}$/;
/** AWS Backup's shortest compliance-mode grace time. */
const MIN_CHANGEABLE_FOR_DAYS = 3;
/** AWS Backup's bounds on a logically air-gapped vault's retention. */
const AIR_GAPPED_DAYS = { min: 7, max: 36_500 };
const VAULT_ARN = /^arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:[a-zA-Z0-9_.-]+$/;

/** Problems of a stage's `backup` block; `field` is e.g. `stages.prod.backup`. */
export function validateBackup(field: string, backup: unknown, protectData: boolean): string[] {
  if (!isRecord(backup)) return [`${field}: expected {rules, reason}, got ${show(backup)}`];
  const problems: string[] = [];
  const report: Report = (sub, message) => {
    problems.push(`${field}.${sub}: ${message}`);
  };
  if (!isReason(backup.reason)) report('reason', 'expected one line on why the stage gets these rules');
  const rules = Array.isArray(backup.rules) ? backup.rules : [];
  if (!Array.isArray(backup.rules)) report('rules', `expected a list of rules (empty for none), got ${show(backup.rules)}`);
  else if (protectData && rules.length === 0) {
    report('rules', 'empty, but the stage protects its data; a protected stage needs at least one backup rule');
  }
  const names = new Map<unknown, number>();
  const retentions: Array<[string, unknown]> = [];
  rules.forEach((rule: unknown, i: number) => {
    const at = `rules[${i}]`;
    if (!isRecord(rule)) return report(at, `expected {name, schedule, retentionDays, reason}, got ${show(rule)}`);
    if (typeof rule.name !== 'string' || !BACKUP_RULE_NAME.test(rule.name)) {
      report(`${at}.name`, `${show(rule.name)} breaks AWS Backup's rule-name pattern (1-50 of a-z, A-Z, 0-9, _, . and -)`);
    } else if (names.has(rule.name)) report(`${at}.name`, `"${rule.name}" is also the name of rules[${names.get(rule.name)}]`);
    else names.set(rule.name, i);
    if (!(BACKUP_SCHEDULES as readonly unknown[]).includes(rule.schedule)) {
      report(`${at}.schedule`, `${show(rule.schedule)} is not a schedule (${BACKUP_SCHEDULES.join(', ')})`);
    }
    if (!isPositiveInteger(rule.retentionDays)) report(`${at}.retentionDays`, `${show(rule.retentionDays)} is not a positive whole number of days`);
    else retentions.push([`${at}.retentionDays`, rule.retentionDays]);
    if (!isReason(rule.reason)) report(`${at}.reason`, 'expected one line on why this rule and this retention');
  });
  if (backup.copy !== undefined) {
    const copy = backup.copy;
    if (!isRecord(copy)) report('copy', `expected {destinationVaultArn, retentionDays, reason}, got ${show(copy)}`);
    else {
      if (typeof copy.destinationVaultArn !== 'string' || !VAULT_ARN.test(copy.destinationVaultArn)) {
        report('copy.destinationVaultArn', `${show(copy.destinationVaultArn)} is not a backup vault ARN (arn:aws:backup:<region>:<account>:backup-vault:<name>)`);
      }
      if (!isPositiveInteger(copy.retentionDays)) report('copy.retentionDays', `${show(copy.retentionDays)} is not a positive whole number of days`);
      if (!isReason(copy.reason)) report('copy.reason', 'expected one line on why the copy exists');
      if (rules.length === 0) report('copy', 'set, but there is no rule whose recovery points it would copy');
    }
  }
  if (backup.airGappedCopy !== undefined) problems.push(...airGappedProblems(`${field}.airGappedCopy`, backup.airGappedCopy, retentions, rules.length));
  if (backup.vaultLock !== undefined) {
    const lock = backup.vaultLock;
    if (!isRecord(lock)) report('vaultLock', `expected {minRetentionDays, maxRetentionDays, reason}, got ${show(lock)}`);
    else {
      const { minRetentionDays: min, maxRetentionDays: max, changeableForDays } = lock;
      if (!isPositiveInteger(min)) report('vaultLock.minRetentionDays', `${show(min)} is not a positive whole number of days`);
      if (!isPositiveInteger(max)) report('vaultLock.maxRetentionDays', `${show(max)} is not a positive whole number of days`);
      if (isPositiveInteger(min) && isPositiveInteger(max)) {
        if (min > max) report('vaultLock', `minRetentionDays ${min} is above maxRetentionDays ${max}`);
        // The lock makes AWS Backup fail any job whose retention lies outside it.
        for (const [at, days] of retentions) {
          if ((days as number) < min || (days as number) > max) {
            report(at, `${show(days)} days is outside the vault lock's ${min}-${max} days, so every backup job of the rule would fail`);
          }
        }
      }
      if (changeableForDays !== undefined && (!Number.isInteger(changeableForDays) || (changeableForDays as number) < MIN_CHANGEABLE_FOR_DAYS)) {
        report('vaultLock.changeableForDays', `${show(changeableForDays)} is not a whole number of days of at least ${MIN_CHANGEABLE_FOR_DAYS} (AWS Backup's shortest grace time)`);
      }
      if (!isReason(lock.reason)) report('vaultLock.reason', 'expected one line on why this lock and this mode');
      if (rules.length === 0) report('vaultLock', 'set, but the stage has no backup rule and so no vault');
    }
  }
  return problems;
}

/** A logically air-gapped copy: AWS Backup's retention bounds, and room in them for every rule's copies. */
function airGappedProblems(field: string, copy: unknown, retentions: ReadonlyArray<[string, unknown]>, ruleCount: number): string[] {
  if (!isRecord(copy)) return [`${field}: expected {minRetentionDays, maxRetentionDays, reason}, got ${show(copy)}`];
  const problems: string[] = [];
  const { minRetentionDays: min, maxRetentionDays: max } = copy;
  for (const [name, days] of [['minRetentionDays', min], ['maxRetentionDays', max]] as const) {
    if (!isPositiveInteger(days) || days < AIR_GAPPED_DAYS.min || days > AIR_GAPPED_DAYS.max) {
      problems.push(`${field}.${name}: ${show(days)} is outside AWS Backup's ${AIR_GAPPED_DAYS.min}-${AIR_GAPPED_DAYS.max} days (whole days only)`);
    }
  }
  if (isPositiveInteger(min) && isPositiveInteger(max)) {
    if (min > max) problems.push(`${field}: minRetentionDays ${min} is above maxRetentionDays ${max}`);
    // A rule's copies are kept as long as its recovery points: outside the vault's range the copy job fails.
    for (const [at, days] of retentions) {
      if ((days as number) < min || (days as number) > max) {
        problems.push(`${field}: ${at} keeps ${show(days)} days, outside the air-gapped vault's ${min}-${max} days, so every copy of the rule would fail`);
      }
    }
  }
  if (!isReason(copy.reason)) problems.push(`${field}.reason: expected one line on why the copy exists`);
  if (ruleCount === 0) problems.push(`${field}: set, but there is no rule whose recovery points it would copy`);
  return problems;
}
