import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ACCESS_EXAMPLES, type AccessPatternName } from '../../infra/policy/access-examples';
import type { TableSchema } from '../../infra/data/schema-model';
import { buildAccessRequest, type AccessRequest, type AccessRequestParams } from '../../infra/client';
import { tableSchema, type TableName } from '../../infra/data/schemas';
import { physicalTableName } from '../../infra/data/stages';

/** What running one access pattern returned. */
export interface PatternRun {
  /** The request sent. */
  readonly request: AccessRequest;
  /** Items returned, in order. */
  readonly items: Record<string, unknown>[];
  /** Items the engine read to answer; more than `items.length` means reads were paid for and thrown away. */
  readonly scannedCount: number;
  /** Read capacity units the engine reports the request consumed. */
  readonly consumedReadUnits: number | undefined;
  /** Key to continue from when more pages remain. */
  readonly lastEvaluatedKey?: Record<string, unknown>;
}

/** Runs one access pattern of a table with the given parameters, through the one request it is built as. */
export async function runPattern(
  doc: DynamoDBDocumentClient,
  stage: string,
  table: TableName,
  pattern: string,
  params: AccessRequestParams,
): Promise<PatternRun> {
  const request = buildAccessRequest(tableSchema(table) as TableSchema, pattern, physicalTableName(table, stage), params);
  if (request.operation === 'GetItem') {
    const result = await doc.send(new GetCommand({ ...request.input, ReturnConsumedCapacity: 'TOTAL' }));
    const items = result.Item ? [result.Item] : [];
    return { request, items, scannedCount: items.length, consumedReadUnits: result.ConsumedCapacity?.CapacityUnits };
  }
  const result = await doc.send(new QueryCommand({ ...request.input, ReturnConsumedCapacity: 'TOTAL' }));
  return {
    request,
    items: result.Items ?? [],
    scannedCount: result.ScannedCount ?? 0,
    consumedReadUnits: result.ConsumedCapacity?.CapacityUnits,
    ...(result.LastEvaluatedKey && { lastEvaluatedKey: result.LastEvaluatedKey }),
  };
}

/** Runs the worked example of an access pattern, exactly as the docs show it. */
export function runExample(doc: DynamoDBDocumentClient, stage: string, pattern: AccessPatternName): Promise<PatternRun> {
  const { table, params } = ACCESS_EXAMPLES[pattern];
  return runPattern(doc, stage, table, pattern, params);
}

/** A one-line reading of a request with names and values filled in, e.g. for a console table. */
export function describeRequest(request: AccessRequest): string {
  const { input } = request;
  if (request.operation === 'GetItem') {
    const key = Object.entries(request.input.Key).map(([name, value]) => `${name} = ${JSON.stringify(value)}`);
    return `GetItem ${input.TableName} ${key.join(' AND ')}`;
  }
  const query = request.input;
  const condition = query.KeyConditionExpression.replace(/#\w+/g, (name) => query.ExpressionAttributeNames[name] ?? name).replace(
    /:\w+/g,
    (value) => JSON.stringify(query.ExpressionAttributeValues[value]),
  );
  const target = query.IndexName ? `${query.TableName} index ${query.IndexName}` : query.TableName;
  const order = query.ScanIndexForward ? 'oldest first' : 'newest first';
  const limit = query.Limit !== undefined ? `, limit ${query.Limit}` : '';
  return `Query ${target} ${condition}, ${order}${limit}`;
}
