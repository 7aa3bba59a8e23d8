import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../../infra/client/config';
import { TABLE_SCHEMAS } from '../../infra/schemas';
import { physicalTableName } from '../../infra/stages';
import { createClients } from '../../scripts/lib/clients';
import { startLocalEngine, type LocalEngine } from '../../scripts/lib/local-engine';
import { createTables, tablesFromTemplate } from '../../scripts/lib/template-tables';
import { devTemplate } from './dev-template';

/** dynalite with the dev tables of the once-synthesized template, and clients for it. */
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

/** Starts dynalite on a free port with every dev table, counting every request sent. */
export async function startLocalTables(): Promise<LocalTables> {
  const engine = await startLocalEngine({ port: 0 });
  const { client, doc } = createClients({ region: 'us-east-1', endpoint: engine.endpoint, local: true });
  await createTables(client, tablesFromTemplate(devTemplate()));
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
