import { CreateKeyCommand, UpdateAliasCommand, type KMSClient } from '@aws-sdk/client-kms';
import { stageKeyAlias, type StageName } from '../../infra/data/stages';
import { main as restore } from '../restore/main';
import type { DeployedStage } from './deploy-stage';
import { runMain, type Rehearsal } from './report';

/**
 * A stage alias moved to another key must stop `restore` before it looks at any table, in one
 * line (exit 2); verify's side of it is one of the drifts. The alias is put back after.
 */
export async function rehearseMovedAlias(rehearsal: Rehearsal, endpoint: string, kms: KMSClient, stage: StageName, deployed: DeployedStage): Promise<void> {
  const alias = stageKeyAlias(stage);
  const other = (await kms.send(new CreateKeyCommand({ Description: 'rehearsal: a key the stack did not create' }))).KeyMetadata!.Arn!;
  await kms.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: other }));
  try {
    const { code, lines } = await runMain((argv, print) => restore(argv, print), ['--stage', stage, '--table', 'Jobs', '--latest', '--endpoint', endpoint]);
    const refusal = lines.find((line) => line.startsWith('Error: '));
    rehearsal.check(
      `restore refuses ${alias} moved to another key: one Error line naming both keys, exit 2`,
      code === 2 && lines.length === 1 && refusal !== undefined && refusal.includes(other) && refusal.includes(deployed.outputs.DataKeyArn!),
      `exit ${code}: ${lines.join(' | ')}`,
    );
  } finally {
    await kms.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: deployed.outputs.DataKeyArn! }));
  }
}
