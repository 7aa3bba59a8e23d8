import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConflictError, createDataClient, tableNamesFromStackOutputs } from '../../infra/client';
import type { StageName } from '../../infra/data/stages';
import type { DeployedStage } from './deploy-stage';
import type { Rehearsal } from './report';

/**
 * The path production takes on a failed condition: DynamoDB (and moto) return the item as it was,
 * so the ConflictError says which status the job has; dynalite returns nothing and cannot show it.
 */
export async function rehearseConflicts(rehearsal: Rehearsal, dynamodb: DynamoDBClient, stage: StageName, deployed: DeployedStage): Promise<void> {
  const data = createDataClient({ tables: tableNamesFromStackOutputs(stage, deployed.outputs), doc: DynamoDBDocumentClient.from(dynamodb) });
  const { jobId } = await data.jobs.create({ shopDomain: 'rehearsal.myshopify.com', type: 'import', mode: 'upsert', isDryRun: false, totalProducts: 10 });
  const claimed = await data.jobs.claim(jobId);
  const second = await data.jobs.claim(jobId).then(() => undefined, (error: unknown) => error);
  rehearsal.check(
    `jobs on ${stage}: a second claim of a job is a ConflictError naming the status it has (${claimed.status}), read from the item DynamoDB returns`,
    second instanceof ConflictError && second.message.endsWith(`it is not PENDING: it is ${claimed.status}`),
    String(second),
  );
}
