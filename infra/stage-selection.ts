import { STAGES, STAGE_NAMES, type StageName } from './stages';

/** A mistake in what the user asked for or in the configuration; reported without a stack trace. */
export class ConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** The stages to synthesize: the one named by `-c stage=<name>`, or every stage. */
export function selectStages(requested: unknown): StageName[] {
  if (requested === undefined) return [...STAGE_NAMES];
  if (typeof requested === 'string' && requested in STAGES) return [requested as StageName];
  throw new ConfigError([`Unknown stage "${String(requested)}"; valid stages: ${STAGE_NAMES.join(', ')}.`]);
}
