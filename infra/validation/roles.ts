/** A stage's data-access roles and break-glass role: IAM's names, the services they trust. */

import { DATA_ROLE_PURPOSES, TRUSTED_SERVICES, dataRoleName, deployRoleName } from '../data/stages';
import { isReason, isRecord, show } from './common';

/** IAM's characters for a role path and name, plus `*` for the break-glass pattern. */
const ROLE_PATTERN = /^[\w+=,.@/*-]+$/;
const MAX_ROLE_NAME = 64;

/** GitHub's `owner/name` of a repository. */
const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
/** A GitHub environment name as it appears in the OIDC subject: no `:` (the subject's separator) and no wildcard. */
const ENVIRONMENT = /^[A-Za-z0-9._-]{1,255}$/;

/** IAM's limit on the stage's role names (data-access and deploy), the longest of which is reported. */
export function roleNameProblems(stage: string): string[] {
  const longest = [...DATA_ROLE_PURPOSES.map((purpose) => dataRoleName(stage, purpose)), deployRoleName(stage)].reduce((a, b) => (b.length > a.length ? b : a));
  return longest.length > MAX_ROLE_NAME ? [`stages.${stage}: role name ${longest} is ${longest.length} characters; IAM allows at most ${MAX_ROLE_NAME}`] : [];
}

/**
 * A stage's access block: a break-glass role and an app deploy role that each name one role (not a
 * wildcard that every role matches), a known service for each data-access role, the repository and
 * environment the stage is deployed from, and a reason.
 */
export function checkAccess(access: unknown, field: string): string[] {
  if (!isRecord(access)) return [`${field}: expected {breakGlassRole, roleTrust, deployFrom, appDeployRole, reason}, got ${show(access)}`];
  const problems = [...rolePatternProblems(access.breakGlassRole, `${field}.breakGlassRole`), ...rolePatternProblems(access.appDeployRole, `${field}.appDeployRole`)];
  const from = access.deployFrom;
  if (!isRecord(from)) {
    problems.push(`${field}.deployFrom: expected {repository, environment}, the GitHub repository and environment that deploy the stage, got ${show(from)}`);
  } else {
    if (typeof from.repository !== 'string' || !REPOSITORY.test(from.repository)) {
      problems.push(`${field}.deployFrom.repository: ${show(from.repository)} is not a GitHub repository as owner/name`);
    }
    if (typeof from.environment !== 'string' || !ENVIRONMENT.test(from.environment)) {
      problems.push(`${field}.deployFrom.environment: ${show(from.environment)} is not a GitHub environment name (letters, digits, . _ -, no : or *)`);
    }
  }
  const trust = access.roleTrust;
  const services = Object.keys(TRUSTED_SERVICES);
  if (!isRecord(trust)) {
    problems.push(`${field}.roleTrust: expected the service of each role (${DATA_ROLE_PURPOSES.join(', ')}), got ${show(trust)}`);
  } else {
    for (const purpose of DATA_ROLE_PURPOSES) {
      if (!services.includes(trust[purpose] as string)) {
        problems.push(`${field}.roleTrust.${purpose}: ${show(trust[purpose])} is not a trusted service (${services.join(', ')})`);
      }
    }
    for (const extra of Object.keys(trust).filter((key) => !(DATA_ROLE_PURPOSES as readonly string[]).includes(key))) {
      problems.push(`${field}.roleTrust.${extra}: not a data-access role (${DATA_ROLE_PURPOSES.join(', ')})`);
    }
  }
  if (!isReason(access.reason)) problems.push(`${field}.reason: expected one line on who holds the break-glass role`);
  return problems;
}

/** A role path and name that may hold `*`, but names one role: no leading wildcard, a name that is not only wildcards. */
function rolePatternProblems(role: unknown, field: string): string[] {
  if (typeof role !== 'string' || !ROLE_PATTERN.test(role) || role.startsWith('/') || role.endsWith('/')) {
    return [`${field}: ${show(role)} is not a role path and name (letters, digits, + = , . @ _ - and /, with * for any run of characters)`];
  }
  const problems: string[] = [];
  const name = role.slice(role.lastIndexOf('/') + 1);
  if (role.startsWith('*') || name.replace(/\*/g, '') === '') {
    problems.push(`${field}: ${show(role)} starts with or is only a wildcard, so roles anyone can create would match it; name the role`);
  }
  if (name.length > MAX_ROLE_NAME) problems.push(`${field}: the name is ${name.length} characters; IAM allows at most ${MAX_ROLE_NAME}`);
  return problems;
}
