import { DeleteTableCommand, ResourceNotFoundException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../../infra/client';
import { TABLE_SCHEMAS } from '../../infra/data/schemas';
import { physicalTableName } from '../../infra/data/stages';
import { createClients } from '../../scripts/shared/clients';
import { LOCAL_TABLES_ENDPOINT_ENV, startLocalEngine, type LocalEngine } from '../../scripts/shared/local-engine';
import { createTables, tablesFromTemplate } from '../../scripts/shared/template-tables';
import { devTemplate } from './dev-template';
import { sendInProcess } from './in-process-requests';

/** The dev tables of the once-synthesized template on dynalite (or the endpoint above), and clients for it. */
export interface LocalTables {
  readonly engine: LocalEngine;
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly tables: TableNames;
  /** SDK command names sent since the last `sent.length = 0`, in order. */
  readonly sent: string[];
  /** The low-level input of each request in `sent`, in the same order. */
  readonly inputs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** Starts dynalite on a free port (or uses the endpoint above) with every dev table, counting every request sent. */
export async function startLocalTables(): Promise<LocalTables> {
  // Set to an endpoint (the moto server of `npm run rehearse`), the suites run there instead of on
  // dynalite: signed with the environment's credentials, each suite on a clean slate of the dev
  // tables (so one suite at a time: --runInBand).
  const shared = process.env[LOCAL_TABLES_ENDPOINT_ENV];
  const engine: LocalEngine = shared ? { endpoint: shared, close: async () => {} } : await startLocalEngine({ port: 0 });
  const { client, doc } = createClients({ region: 'us-east-1', endpoint: engine.endpoint, local: !shared });
  if (engine.server) sendInProcess(client, engine.server);
  const templateTables = tablesFromTemplate(devTemplate());
  if (shared) await Promise.all(templateTables.map(({ createTable }) => dropTable(client, createTable.TableName!)));
  await createTables(client, templateTables);
  const sent: string[] = [];
  const inputs: Record<string, unknown>[] = [];
  // The initialize step runs once per send, before retries: one entry is one client request.
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (sent.length === 0) inputs.length = 0;
      sent.push(context.commandName as string);
      inputs.push(args.input as Record<string, unknown>);
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  const tables = Object.fromEntries(TABLE_SCHEMAS.map(({ name }) => [name, physicalTableName(name, 'dev')])) as TableNames;
  return {
    engine,
    client,
    doc,
    tables,
    sent,
    inputs,
    close: async () => {
      client.destroy();
      await engine.close();
    },
  };
}

/** Deletes a table left by an earlier suite on a shared endpoint; one that is not there is fine. */
async function dropTable(client: DynamoDBClient, TableName: string): Promise<void> {
  try {
    await client.send(new DeleteTableCommand({ TableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
}
