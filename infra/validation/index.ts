/**
 * Checks the schema map and the stage config before any construct is made, so a careless edit
 * stops synth with every problem listed instead of reaching CloudFormation. Inputs are unchecked
 * data: the map is edited by hand and the type checker is not the last line of defence.
 */

import { unknownStageMessage } from '../data/stage-selection';
import { isRecord } from './common';
import { validateStages } from './stage-policy';
import { validateSchemaMap } from './tables';

export { isRecord } from './common';
export { AWS_REGIONS, validateStages } from './stage-policy';
export { validateSchemaMap } from './tables';

/** What {@link validateDataConfig} checks. */
export interface DataConfigInput {
  /** The schema map (`TABLE_SCHEMAS` or a test's variant of it). */
  readonly schemas: unknown;
  /** The stage config (`STAGES`). */
  readonly stages: unknown;
  /** Stage names asked for, e.g. with `-c stage=<name>`; every stage when absent. */
  readonly requestedStages?: readonly unknown[];
}

/** Every problem in the schema map and the stage config, each naming the table or stage and the field. */
export function validateDataConfig(input: DataConfigInput): string[] {
  const stageNames = isRecord(input.stages) ? Object.keys(input.stages) : [];
  return [
    ...validateSchemaMap(input.schemas, stageNames),
    ...validateStages(input.stages),
    ...(input.requestedStages ?? [])
      .filter((stage) => typeof stage !== 'string' || !stageNames.includes(stage))
      .map((stage) => unknownStageMessage(stage, stageNames)),
  ];
}
