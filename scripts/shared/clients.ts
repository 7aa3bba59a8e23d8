import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Readable, Transform } from 'node:stream';
import type { MiddlewareStack } from '@smithy/types';
import { ConfigError } from '../../infra/data/config-error';

/**
 * Credentials for a local engine: dynalite checks that requests are signed, not by whom, and
 * passing them explicitly keeps the SDK from searching the machine for real ones.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/**
 * The variable through which the AWS SDKs take a DynamoDB endpoint: `npm run local -- --keep`
 * prints it, and the docs' AWS CLI examples name the endpoint with it (whatever port was picked).
 */
export const ENDPOINT_ENV = 'AWS_ENDPOINT_URL_DYNAMODB';

/** How long a command waits on an endpoint before giving up (see the decision records 0039 and 0063 in docs/decisions/). */
export interface NetworkLimits {
  /** Milliseconds to establish the TCP connection. */
  readonly connectionTimeoutMs: number;
  /** Milliseconds for one request, from sending it to the whole response. */
  readonly requestTimeoutMs: number;
  /** Attempts per call, the first included; a timed-out attempt is retried. */
  readonly maxAttempts: number;
}

/** The limits of every command: a dead endpoint ends a call within about 21 s. */
export const NETWORK_LIMITS = { connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000, maxAttempts: 2 } as const satisfies NetworkLimits;

/**
 * The largest response body a command reads: a DynamoDB page is at most 1 MB of items, so 16 MiB
 * is far above any real answer and far below what exhausts the process.
 */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** Where to send requests. */
export interface ClientTarget {
  /** AWS region. */
  readonly region: string;
  /** Endpoint URL; the region's AWS endpoint when absent. */
  readonly endpoint?: string;
  /** True for a local engine: sign with {@link LOCAL_CREDENTIALS}. */
  readonly local?: boolean;
  /** Time limits; {@link NETWORK_LIMITS} when absent. */
  readonly limits?: NetworkLimits;
}

/** The SDK client configuration for a target, any AWS service: region, endpoint, credentials, time limits. */
export function clientConfig(target: ClientTarget) {
  const limits = target.limits ?? NETWORK_LIMITS;
  return {
    region: target.region,
    ...(target.endpoint !== undefined && { endpoint: target.endpoint }),
    ...(target.local && { credentials: LOCAL_CREDENTIALS }),
    maxAttempts: limits.maxAttempts,
    requestHandler: {
      connectionTimeout: limits.connectionTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Without it the SDK only logs a warning when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
      // Bursts of concurrent writes would otherwise queue behind the default 50 sockets.
      ...(target.local && { httpAgent: { maxSockets: 256 } }),
    },
  };
}

/** A low-level client and a document client (native JS values) for one target. */
export function createClients(target: ClientTarget): { client: DynamoDBClient; doc: DynamoDBDocumentClient } {
  const client = new DynamoDBClient(clientConfig(target));
  guardEndpoint(client, 'DynamoDB', target.limits ?? NETWORK_LIMITS);
  return { client, doc: DynamoDBDocumentClient.from(client) };
}

/** A KMS client for a target, with the same time limits and one-line network errors. */
export function createKmsClient(target: ClientTarget): KMSClient {
  const kms = new KMSClient(clientConfig(target));
  guardEndpoint(kms, 'KMS', target.limits ?? NETWORK_LIMITS);
  return kms;
}

/**
 * Whether the environment holds credentials (`AWS_ACCESS_KEY_ID`, or a profile): an endpoint the
 * caller names is signed with them; only the local engine, which checks no signature, goes without.
 */
export function hasEnvironmentCredentials(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE);
}

/** The endpoint does not implement the API called (a local engine without TTL or backups). */
export function isUnknownOperation(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'UnknownOperationException';
}

/**
 * The endpoint does not speak the service at all: dynalite answers any other service's request
 * with HTTP 404 and an XML body the JSON client cannot parse. Its message says so in one line.
 */
export class ServiceMissingError extends ConfigError {
  constructor(line: string) {
    super([line]);
    this.name = 'ServiceMissingError';
  }
}

/** The endpoint lacks the API called, or the whole service (see {@link ServiceMissingError}). */
export function isServiceMissing(error: unknown): boolean {
  return isUnknownOperation(error) || error instanceof ServiceMissingError;
}

/** A response that broke a limit while its body was read; `line` is the one-line reason. */
class ResponseLimitError extends Error {
  public readonly line: string;

  constructor(line: string, name: string) {
    super(line);
    this.line = line;
    this.name = name;
  }
}

/**
 * The response body, cut off with an error when it grows past {@link MAX_RESPONSE_BYTES} or is
 * still arriving when the attempt's time is up: the SDK's own request timeout stops at the headers,
 * so a body sent one byte at a time, or one that never ends, would otherwise be read forever.
 */
function boundedBody(body: Readable, endpoint: string, service: string, deadline: number): Transform {
  let received = 0;
  const stop = (error: ResponseLimitError) => {
    clearTimeout(timer);
    body.destroy();
    bounded.destroy(error);
  };
  const bounded = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > MAX_RESPONSE_BYTES) {
        stop(new ResponseLimitError(`${endpoint} sent a response over ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB: not a ${service} answer.`, 'ResponseTooLarge'));
        return;
      }
      done(null, chunk);
    },
    flush(done) {
      clearTimeout(timer);
      done();
    },
  });
  // Named TimeoutError, as the SDK's own: retried like one, and reported as an endpoint that did not answer in time.
  const timer = setTimeout(() => stop(new ResponseLimitError('the response did not end in time', 'TimeoutError')), Math.max(0, deadline - Date.now()));
  body.on('error', (error) => {
    clearTimeout(timer);
    bounded.destroy(error);
  });
  return body.pipe(bounded);
}

// Network failures that say the endpoint cannot be reached (Node's codes for the socket).
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** What a failed call tells about the endpoint, as the SDK leaves it. */
interface CallFailure {
  readonly name?: string;
  readonly code?: unknown;
  readonly message?: string;
  readonly $fault?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * A failure that says the endpoint cannot be used, as one line naming it; undefined for a service's
 * own error (access denied, table not found), which the command handles or reports itself.
 */
function endpointFailure(error: unknown, endpoint: string, service: string, limits: NetworkLimits): ConfigError | undefined {
  if (error instanceof ConfigError || !(error instanceof Error)) return undefined;
  if (error instanceof ResponseLimitError && error.name !== 'TimeoutError') return new ConfigError([error.line]);
  const { name, code, message = '', $fault, $metadata } = error as CallFailure;
  // Before the timeout: the SDK names a connection closed without an answer ("socket hang up") a TimeoutError too.
  if (code === 'ECONNRESET') {
    const hint = endpoint.startsWith('http:') ? '; a TLS port is reached with https://' : '';
    return new ConfigError([`the ${service} endpoint ${endpoint} closed the connection without answering (ECONNRESET)${hint}.`]);
  }
  if (typeof code === 'string' && UNREACHABLE.has(code)) return new ConfigError([`cannot reach the ${service} endpoint ${endpoint} (${code}).`]);
  if (name === 'TimeoutError') {
    return new ConfigError([
      `${service} endpoint ${endpoint} did not answer in time (${limits.maxAttempts} attempts, each limited to ${limits.connectionTimeoutMs / 1000} s to connect and ${limits.requestTimeoutMs / 1000} s to answer).`,
    ]);
  }
  // Node's HTTP parser refused the answer: not HTTP at all, or headers over its 16 KiB limit.
  if (typeof code === 'string' && code.startsWith('HPE_')) {
    return new ConfigError([`${endpoint} did not answer in HTTP that Node reads (${message.replace(/^Parse Error: /, '')}): not a ${service} endpoint.`]);
  }
  // TLS and other socket failures carry Node's code; a service's error carries $fault instead.
  if (typeof code === 'string' && $fault === undefined) {
    const tls = /SSL routines:[^:]*:([^:]+)/.exec(message)?.[1];
    const reason = tls ? `its TLS handshake failed (${tls})${tls === 'wrong version number' ? '; a plain HTTP port is reached with http://' : ''}` : message.split('\n')[0];
    return new ConfigError([`cannot talk to the ${service} endpoint ${endpoint}: ${reason} (${code}).`]);
  }
  const status = $metadata?.httpStatusCode;
  // The SDK could not read the body as the service's JSON (an HTML page, dynalite's XML for another service).
  if (name === 'SyntaxError' && status !== undefined) {
    if (status === 404) return new ServiceMissingError(`${endpoint} has no ${service}: it answered HTTP 404 with a body that is not a ${service} answer.`);
    return new ConfigError([`${endpoint} answered HTTP ${status} with a body that is not a ${service} answer.`]);
  }
  // An error body without the service's error type: the SDK calls it "Unknown: UnknownError".
  if (name === 'Unknown' && $fault !== undefined) {
    return new ConfigError([`${endpoint} answered HTTP ${status ?? '?'} with an error that names no ${service} error type: not a ${service} answer.`]);
  }
  return undefined;
}

/** Where a redirect points, without the user name, password, query or fragment it may carry. */
function redirectTarget(location: string | undefined, endpoint: string): string | undefined {
  try {
    const url = new URL(location ?? '', endpoint);
    return location ? `${url.origin}${url.pathname}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes a client's network failures one-line {@link ConfigError}s naming the endpoint: no answer
 * within the limits, no connection, a redirect, an answer that is not HTTP or not the service's (AWS
 * services and dynalite sign every response with `x-amzn-RequestId` or `x-amz-crc32`; a web server
 * does not).
 */
export function guardEndpoint(
  client: { middlewareStack: MiddlewareStack<any, any> },
  service: string,
  limits: NetworkLimits,
): void {
  const endpointOf = (context: Record<string, unknown>) =>
    (context.endpointV2 as { url?: URL } | undefined)?.url?.href.replace(/\/$/, '') ?? `the ${service} endpoint`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw endpointFailure(error, endpointOf(context), service, limits) ?? error;
      }
    },
    { step: 'initialize', priority: 'high', name: 'oneLineEndpointErrors' },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      // Each attempt passes here: its whole response, body included, must arrive within the request limit.
      const deadline = Date.now() + limits.requestTimeoutMs;
      const result = await next(args);
      const response = result.response as { statusCode?: number; headers?: Record<string, string>; body?: unknown };
      const headers = response.headers ?? {};
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        const target = redirectTarget(headers.location, endpointOf(context));
        throw new ConfigError([
          `${endpointOf(context)} answered HTTP ${status}, a redirect${target ? ` to ${target}` : ''}: ${service} requests are not redirected; give the endpoint that answers them.`,
        ]);
      }
      if (!('x-amzn-requestid' in headers) && !('x-amz-crc32' in headers)) {
        throw new ConfigError([
          `${endpointOf(context)} answered HTTP ${response.statusCode ?? '?'} without the headers every ${service} response has: not a ${service} endpoint.`,
        ]);
      }
      if (response.body instanceof Readable) response.body = boundedBody(response.body, endpointOf(context), service, deadline);
      return result;
    },
    // After the deserializer in the stack, so this sees the raw response before it is parsed.
    { step: 'deserialize', priority: 'low', name: 'notServiceEndpoint' },
  );
}
