/**
 * Whether an event matches an EventBridge pattern, for the subset the stack's rules use (from the
 * EventBridge "Event patterns" and "Content filtering" pages): every field of the pattern must match;
 * a list matches when the event's value (or any element of an array value) equals one of its
 * literals or matches one of its filters (`prefix`, `wildcard`, `anything-but` of values or of a
 * prefix, `exists`); an object descends into the event, a missing object counting as empty so that
 * `exists: false` below it holds; `$or` holds when any of its patterns does. A filter matches only a
 * value that is there, except `exists: false`. Any other operator is refused, not guessed.
 */
export function eventMatches(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    if (field === '$or') {
      if (!Array.isArray(expected) || expected.length < 2) throw new Error('$or: expected a list of two patterns or more');
      return expected.some((alternative: Record<string, unknown>) => eventMatches(alternative, event));
    }
    const actual = event[field];
    if (Array.isArray(expected)) {
      if (expected.length === 0) throw new Error(`pattern field ${field}: an empty list matches nothing`);
      const values: unknown[] = actual === undefined ? [] : [actual].flat();
      return expected.some((rule) => (isExistsRule(rule) ? rule.exists === (actual !== undefined) : values.some((value) => ruleMatches(rule, value))));
    }
    if (typeof expected === 'object' && expected !== null) {
      const nested = typeof actual === 'object' && actual !== null && !Array.isArray(actual) ? actual : {};
      return (actual === undefined || nested === actual) && eventMatches(expected as Record<string, unknown>, nested as Record<string, unknown>);
    }
    throw new Error(`pattern field ${field}: expected a list or an object`);
  });
}

function isExistsRule(rule: unknown): rule is { exists: boolean } {
  return typeof rule === 'object' && rule !== null && 'exists' in rule;
}

function ruleMatches(rule: unknown, value: unknown): boolean {
  if (typeof rule !== 'object' || rule === null) return rule === value;
  const entries = Object.entries(rule);
  if (entries.length !== 1) throw new Error(`pattern filter ${JSON.stringify(rule)}: expected one operator`);
  const [operator, argument] = entries[0]!;
  switch (operator) {
    case 'prefix':
      return typeof argument === 'string' && typeof value === 'string' && value.startsWith(argument);
    case 'wildcard':
      return typeof argument === 'string' && typeof value === 'string' && wildcard(argument).test(value);
    case 'anything-but':
      if (typeof argument === 'object' && argument !== null && !Array.isArray(argument)) return !ruleMatches(argument, value);
      return ![argument].flat().some((excluded) => excluded === value);
    default:
      throw new Error(`pattern operator ${JSON.stringify(rule)} is not supported`);
  }
}

function wildcard(argument: string): RegExp {
  const body = argument.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${body}$`);
}
