import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Credentials for a local engine: dynalite checks that requests are signed, not by whom, and
 * passing them explicitly keeps the SDK from searching the machine for real ones.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** Where to send requests. */
export interface ClientTarget {
  /** AWS region. */
  readonly region: string;
  /** Endpoint URL; the region's AWS endpoint when absent. */
  readonly endpoint?: string;
  /** True for a local engine: sign with {@link LOCAL_CREDENTIALS}. */
  readonly local?: boolean;
}

/** A low-level client and a document client (native JS values) for one target. */
export function createClients(target: ClientTarget): { client: DynamoDBClient; doc: DynamoDBDocumentClient } {
  const client = new DynamoDBClient({
    region: target.region,
    ...(target.endpoint !== undefined && { endpoint: target.endpoint }),
    // Bursts of concurrent writes would otherwise queue behind the default 50 sockets.
    ...(target.local && { credentials: LOCAL_CREDENTIALS, requestHandler: { httpAgent: { maxSockets: 256 } } }),
  });
  return { client, doc: DynamoDBDocumentClient.from(client) };
}

/** The endpoint does not implement the API called (a local engine without TTL or backups). */
export function isUnknownOperation(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'UnknownOperationException';
}
