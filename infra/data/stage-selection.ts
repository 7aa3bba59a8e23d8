import { ConfigError } from './config-error';
import { STAGE_NAMES, type StageName } from './stages';

/** The message for a stage name that is not one of `stageNames`. */
export function unknownStageMessage(requested: unknown, stageNames: readonly string[]): string {
  return `Unknown stage "${String(requested)}"; valid stages: ${stageNames.join(', ')}.`;
}

/** The stages to act on: the one named (e.g. by `--stage <name>`), or every stage. */
export function selectStages(requested: unknown): StageName[] {
  if (requested === undefined) return [...STAGE_NAMES];
  if ((STAGE_NAMES as readonly unknown[]).includes(requested)) return [requested as StageName];
  throw new ConfigError([unknownStageMessage(requested, STAGE_NAMES)]);
}
