/** A stage's data-access roles and break-glass role: IAM's names, the services they trust. */

import { DATA_ROLE_PURPOSES, TRUSTED_SERVICES, dataRoleName } from '../stages';
import { isReason, isRecord, show } from './common';

/** IAM's characters for a role path and name, plus `*` for the break-glass pattern. */
const ROLE_PATTERN = /^[\w+=,.@/*-]+$/;
const MAX_ROLE_NAME = 64;

/** IAM's limit on the stage's data-access role names, the longest of which is reported. */
export function roleNameProblems(stage: string): string[] {
  const longest = DATA_ROLE_PURPOSES.map((purpose) => dataRoleName(stage, purpose)).reduce((a, b) => (b.length > a.length ? b : a));
  return longest.length > MAX_ROLE_NAME ? [`stages.${stage}: role name ${longest} is ${longest.length} characters; IAM allows at most ${MAX_ROLE_NAME}`] : [];
}

/**
 * A stage's access block: a break-glass role that names one role (not a wildcard that every role
 * matches), a known service for each data-access role, and a reason.
 */
export function checkAccess(access: unknown, field: string): string[] {
  if (!isRecord(access)) return [`${field}: expected {breakGlassRole, roleTrust, reason}, got ${show(access)}`];
  const problems: string[] = [];
  const role = access.breakGlassRole;
  if (typeof role !== 'string' || !ROLE_PATTERN.test(role) || role.startsWith('/') || role.endsWith('/')) {
    problems.push(`${field}.breakGlassRole: ${show(role)} is not a role path and name (letters, digits, + = , . @ _ - and /, with * for any run of characters)`);
  } else {
    const name = role.slice(role.lastIndexOf('/') + 1);
    if (role.startsWith('*') || name.replace(/\*/g, '') === '') {
      problems.push(`${field}.breakGlassRole: ${show(role)} starts with or is only a wildcard, so roles anyone can create would match it; name the role`);
    }
    if (name.length > MAX_ROLE_NAME) problems.push(`${field}.breakGlassRole: the name is ${name.length} characters; IAM allows at most ${MAX_ROLE_NAME}`);
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
