import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

type Handler = DynamoDBClient['config']['requestHandler'];
type Request = Parameters<Handler['handle']>[0];

/**
 * Sends `client`'s requests to the local engine's request listener in this process, without a
 * socket: the same signed request and the same answer, minus Node's HTTP client and server on
 * both ends, which took about a tenth of the suites' CPU. The endpoint still listens for the
 * commands and processes the suites start.
 */
export function sendInProcess(client: DynamoDBClient, server: Server): void {
  const [listener] = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  if (!listener) throw new Error('the local engine has no request listener');
  const handler: Handler = {
    metadata: { handlerProtocol: 'http/1.1' },
    handle: (request: Request) =>
      new Promise((resolve) => {
        const headers: Record<string, string> = {};
        const body = bodyOf(request.body);
        const req = Object.assign(new EventEmitter(), {
          method: request.method,
          url: `${request.path}${queryOf(request.query)}`,
          headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value])),
        });
        const res = {
          statusCode: 200,
          setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
          end: (answer: string | Buffer = '') => resolve({ response: { statusCode: res.statusCode, headers, body: Readable.from([Buffer.from(answer)]) } }),
        };
        listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
        if (body.length > 0) req.emit('data', body);
        req.emit('end');
      }),
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
    destroy: () => {},
  } as unknown as Handler;
  client.config.requestHandler = handler;
}

/** The request's bytes: the SDK's JSON body is a string or a Uint8Array (read as bytes, not through its string methods). */
function bodyOf(body: unknown): Buffer {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return Buffer.from(typeof body === 'string' ? body : '');
}

function queryOf(query: Request['query']): string {
  const pairs = Object.entries(query ?? {}).flatMap(([name, value]) => [value ?? ''].flat().map((one) => `${encodeURIComponent(name)}=${encodeURIComponent(String(one))}`));
  return pairs.length > 0 ? `?${pairs.join('&')}` : '';
}
