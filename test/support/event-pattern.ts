/**
 * Whether an event matches an EventBridge pattern, for the subset the stack's rules use (from the
 * EventBridge "Event patterns" page): every field of the pattern must match; a list matches when
 * the event's value (or any element of an array value) equals one of its literals or matches its
 * `wildcard`; an object descends into the event. Any other operator is refused, not guessed.
 */
export function eventMatches(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = event[field];
    if (Array.isArray(expected)) {
      if (actual === undefined) return false;
      return [actual].flat().some((value) => expected.some((rule) => ruleMatches(rule, value)));
    }
    if (typeof expected === 'object' && expected !== null) {
      return typeof actual === 'object' && actual !== null && eventMatches(expected as Record<string, unknown>, actual as Record<string, unknown>);
    }
    throw new Error(`pattern field ${field}: expected a list or an object`);
  });
}

function ruleMatches(rule: unknown, value: unknown): boolean {
  if (typeof rule !== 'object' || rule === null) return rule === value;
  const [operator, argument] = Object.entries(rule)[0] ?? [];
  if (operator !== 'wildcard' || typeof argument !== 'string') throw new Error(`pattern operator ${JSON.stringify(rule)} is not supported`);
  const body = argument.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return typeof value === 'string' && new RegExp(`^${body}$`).test(value);
}
