import { dataStackName } from '../../infra/data/stages';
import type { RestoreRequest } from './request';

/**
 * The steps that make the stack own the restored data again, each with what it risks. They are
 * printed, never run: each needs a person's judgement, and one of them deletes a table.
 */
export function adoptionSteps(request: RestoreRequest): string[] {
  const { stage, sourceTable, targetTable, schema } = request;
  const stack = dataStackName(stage);
  return [
    `To make ${stack} own the restored data (docs/restore-runbook.md, "Adoption"); this command runs none of these:`,
    `A. Restore again under the original name (recommended: every grant, alarm, output and the backup selection name ${sourceTable}).`,
    `  A1. Stop the app's writers to ${sourceTable}. Risks: downtime until A6; a write after A2 is lost.`,
    `  A2. aws dynamodb create-backup --table-name ${sourceTable} --backup-name ${sourceTable}-before-adoption`,
    `      and aws dynamodb create-backup --table-name ${targetTable} --backup-name ${targetTable}-adopt`,
    '      Risks: none; the first backup is the way back to the table as it is now, the second carries the restored data.',
    `  A3. After checking the backups are AVAILABLE, a person turns deletion protection off on ${sourceTable} and deletes it.`,
    `      Risks: irreversible but for A2's backup; until A5 completes there is no ${sourceTable} and the app fails.`,
    `  A4. npm run restore -- --stage ${stage} --table ${schema.name} --backup-arn <ARN of ${targetTable}-adopt> --target ${sourceTable} --execute`,
    `      Risks: takes as long as the first restore; the stack's table resource points at ${sourceTable} again, with every setting re-applied.`,
    `  A5. npm run verify -- --stage ${stage}, then npx cdk diff ${stack} (expect no table change) and npm run deploy -- -c stage=${stage} ${stack}`,
    '      Risks: a diff showing a table replacement means a setting differs; stop and compare before deploying.',
    `  A6. Restart the writers; delete ${targetTable} once the data is confirmed (a person, after a backup of it).`,
    `B. Keep ${targetTable} and cdk import it: the schema map's physical name for ${schema.name} in ${stage} must become ${targetTable},`,
    `   ${sourceTable} must first leave the stack (it is retained where the stage protects data; in an unprotected stage removing it deletes it),`,
    '   and every consumer of the TableName output must move to the new name.',
    '   Risks: the table-identity baseline must be rewritten; a mistake in the import replaces the table; names drift from <Table>-<stage>.',
  ];
}
