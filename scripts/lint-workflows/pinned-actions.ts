import { keyComment, keyLine, readYaml, type YamlMap, type YamlValue } from './workflow-yaml';

/** A problem in a workflow file, at a 1-based line. */
export interface WorkflowFinding {
  readonly line: number;
  readonly message: string;
}

const SHA = /^[0-9a-f]{40}$/;
/**
 * A remote action or reusable workflow as GitHub resolves it: `owner/repo[/path]@ref`, with one `@`
 * (an owner is letters, digits and single hyphens; a repository letters, digits, `.`, `_`, `-`).
 */
const REMOTE_USES = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*@([^@\s]+)$/;
const DIGEST = /@sha256:[0-9a-f]{64}$/;
/** The release a pin stands for, e.g. `v5.0.0` or `v4`: what a reviewer (and Dependabot) reads. */
const VERSION_COMMENT = /^v?\d+(\.\d+)*\b/;

/**
 * Refuses every `uses:` of a workflow (steps and reusable-workflow jobs) that a tag or branch could
 * move under it: a remote action must name a full 40-hex commit SHA with its version in a comment
 * (`owner/repo@<sha> # v5.0.0`); a Docker image must be pinned by digest. Local actions (`./...`)
 * are versioned with the repository itself and pass.
 */
export function checkPinnedActions(text: string, file: string): WorkflowFinding[] {
  const workflow = readYaml(text, file);
  const findings: WorkflowFinding[] = [];
  for (const job of Object.values(asMap(asMap(workflow).jobs))) {
    const jobMap = asMap(job);
    if ('uses' in jobMap) findings.push(...checkUses(jobMap));
    for (const step of asList(jobMap.steps)) {
      const stepMap = asMap(step);
      if ('uses' in stepMap) findings.push(...checkUses(stepMap));
    }
  }
  return findings.sort((a, b) => a.line - b.line);
}

function checkUses(owner: YamlMap): WorkflowFinding[] {
  const uses = String(owner.uses);
  const line = keyLine(owner, 'uses') ?? 0;
  if (uses.startsWith('./')) return [];
  if (uses.startsWith('docker://')) {
    return DIGEST.test(uses) ? [] : [{ line, message: `"${uses}" is not pinned: pin the image by digest (docker://image@sha256:<64 hex>).` }];
  }
  const at = uses.indexOf('@');
  const remote = REMOTE_USES.exec(uses);
  if (at >= 0 && !remote) {
    return [{ line, message: `"${uses}" is not an action reference GitHub accepts: owner/repo[/path]@<40-hex sha>, with a single @.` }];
  }
  const ref = remote?.[1] ?? '';
  if (!SHA.test(ref)) {
    const what = ref === '' ? 'names no ref' : /^[0-9a-f]{7,39}$/.test(ref) ? 'uses a short SHA' : `uses "${ref}", a tag or branch that can move`;
    return [{ line, message: `"${uses}" ${what}: pin it to a full 40-character commit SHA with the version in a comment (${uses.slice(0, at < 0 ? undefined : at)}@<sha> # v1.2.3).` }];
  }
  if (!VERSION_COMMENT.test(keyComment(owner, 'uses') ?? '')) {
    return [{ line, message: `"${uses}" is pinned but does not say which release: add the version in a comment (# v1.2.3).` }];
  }
  return [];
}

function asMap(value: YamlValue | undefined): YamlMap {
  return value !== undefined && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

function asList(value: YamlValue | undefined): YamlValue[] {
  return Array.isArray(value) ? value : [];
}

/** {@link checkPinnedActions} for the lint: a file it cannot read is one finding, not a crash. */
export function pinFindings(text: string, file: string): WorkflowFinding[] {
  try {
    return checkPinnedActions(text, file);
  } catch (error) {
    const match = /:(\d+): (.*)$/.exec((error as Error).message);
    return [{ line: match ? Number(match[1]) : 0, message: `cannot check action pins: ${match ? match[2] : (error as Error).message}` }];
  }
}
