/** What CloudFormation will do to a resource that a diff flags as destructive. */
export type DestructiveImpact = 'will be replaced' | 'may be replaced' | 'will be destroyed' | 'will be orphaned';

/** A resource that a deploy would replace, delete or orphan. */
export interface DestructiveChange {
  readonly stack: string;
  readonly type: string;
  /** The construct path and logical ID as cdk diff prints them, e.g. `Jobs/Table JobsTable1A2B3C4D`. */
  readonly resource: string;
  readonly impact: DestructiveImpact;
  /** The properties whose change forces it (`KeySchema (requires replacement)`), when the diff names them. */
  readonly causes: readonly string[];
}

/** One stack's part of a `cdk diff` output. */
export interface StackDiff {
  readonly stack: string;
  readonly changed: boolean;
  /** The stack's diff as printed, without terminal colours. */
  readonly text: string;
}

export interface ParsedDiff {
  readonly stacks: readonly StackDiff[];
  readonly destructive: readonly DestructiveChange[];
}

// The impact words cdk diff prints at the end of a resource line (@aws-cdk/cloudformation-diff).
const IMPACTS: readonly [RegExp, DestructiveImpact][] = [
  [/\s+may be replaced$/, 'may be replaced'],
  [/\s+replace$/, 'will be replaced'],
  [/\s+destroy$/, 'will be destroyed'],
  [/\s+orphan$/, 'will be orphaned'],
];

/** The text without terminal colours. */
export function stripColours(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

/** Reads the text of `cdk diff` (every stack): each stack's diff, and every replaced, destroyed or orphaned resource. */
export function parseCdkDiff(output: string): ParsedDiff {
  const lines = stripColours(output).split(/\r?\n/);
  const stacks: StackDiff[] = [];
  const destructive: DestructiveChange[] = [];
  let current: { stack: string; lines: string[] } | undefined;
  let resource: { change: DestructiveChange; causes: string[] } | undefined;
  const close = () => {
    if (!current) return;
    const text = current.lines.join('\n').trim();
    stacks.push({ stack: current.stack, changed: !/^There were no differences/m.test(text), text });
    current = undefined;
  };
  for (const line of lines) {
    const header = /^Stack (\S+)/.exec(line);
    if (header) {
      close();
      current = { stack: header[1], lines: [] };
      resource = undefined;
      continue;
    }
    if (/^✨\s+Number of stacks with differences/.test(line)) {
      close();
      continue;
    }
    if (!current) continue;
    current.lines.push(line);
    const resourceLine = /^\[[+~\-←]\] (\S+) (.+)$/.exec(line);
    if (resourceLine) {
      resource = undefined;
      const rest = resourceLine[2].replace(/\s*\(OR move .*\)$/, '').trimEnd();
      const impact = IMPACTS.find(([suffix]) => suffix.test(rest));
      if (impact) {
        const causes: string[] = [];
        const change = { stack: current.stack, type: resourceLine[1], resource: rest.replace(impact[0], ''), impact: impact[1], causes };
        destructive.push(change);
        resource = { change, causes };
      }
      continue;
    }
    // The property lines under a destructive resource say which change forces it.
    const cause = /^ [├└]─ \[[+~\-]\] (.+ \((?:requires|may cause) replacement\))$/.exec(line);
    if (resource && cause) resource.causes.push(cause[1]);
  }
  close();
  return { stacks, destructive };
}
