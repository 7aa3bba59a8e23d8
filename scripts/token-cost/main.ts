import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { AlgorithmSuiteIdentifier, CommitmentPolicy, buildClient } from '@aws-crypto/client-node';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { ConfigError } from '../../infra/data/config-error';
import { kmsKeyring, rawAesKeyring, SEALED_ATTRIBUTES, TOKEN_ALGORITHM_SUITE, TokenCrypto } from '../../infra/client';
import { parseOptions, runCli } from '../shared/cli';

const MAX_ITERATIONS = 100_000;

const USAGE = `Usage: npm run token-cost -- [--iterations <n>]

Measures what sealing costs per token, on this machine and without AWS: the time to seal and open one
token with a raw AES keyring (the chosen suite, and the SDK's default signing suite for comparison),
the ciphertext size, and the KMS requests each token operation makes, counted through an in-process
stand-in for KMS that answers in KMS's shapes.

  --iterations <n>  operations timed per figure, 1 to ${MAX_ITERATIONS} (default 300)`;

const CONTEXT = { table: 'Shops-prod', shop: 'acme-outfitters.myshopify.com', attribute: 'accessToken' };
// A Shopify token: a 6-character prefix and 32 hex digits.
const TOKEN = `shpat_${randomBytes(16).toString('hex')}`;
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** `npm run token-cost`: prints the measurements. Resolves to the exit code. */
export async function main(argv: string[], print: (line: string) => void = console.log): Promise<number> {
  const options = parseOptions(argv, { iterations: { type: 'string' } }, { usage: USAGE });
  const iterations = options.iterations === undefined ? 300 : /^\d{1,6}$/.test(options.iterations) ? Number(options.iterations) : NaN;
  // Bounded so a typo (1e12) cannot make a measurement that never ends.
  if (!(iterations >= 1 && iterations <= MAX_ITERATIONS)) {
    throw new ConfigError([`--iterations must be a whole number from 1 to ${MAX_ITERATIONS}, not "${options.iterations}".`]);
  }

  const keyring = rawAesKeyring(randomBytes(32));
  const chosen = new TokenCrypto(keyring);
  const sealed = await chosen.seal(CONTEXT, TOKEN);
  // The SDK's default suite adds an ECDSA P-384 signature; built here only to compare with.
  const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const signedSeal = () => encrypt(keyring, TOKEN, { encryptionContext: { ...CONTEXT } });
  const signed = (await signedSeal()).result;

  const kms = countingKms();
  const viaKms = new TokenCrypto(kmsKeyring(KEY_ARN, kms.client));
  const kmsSealed = await viaKms.seal(CONTEXT, TOKEN);
  const sealCalls = kms.take();
  await viaKms.open(CONTEXT, kmsSealed);
  const openCalls = kms.take();

  const rows: [string, string][] = [
    [`seal, ${AlgorithmSuiteIdentifier[TOKEN_ALGORITHM_SUITE]}`, ms(await median(iterations, () => chosen.seal(CONTEXT, TOKEN)))],
    ['open, same suite', ms(await median(iterations, () => chosen.open(CONTEXT, sealed)))],
    ['seal, SDK default (signed, ECDSA P-384)', ms(await median(iterations, signedSeal))],
    ['open, SDK default (signed)', ms(await median(iterations, () => decrypt(keyring, signed)))],
    ['ciphertext, raw AES keyring', `${sealed.length} bytes (signed: ${signed.length})`],
    ['ciphertext, KMS keyring', `${kmsSealed.length} bytes`],
    ['KMS requests to seal one value', describeCalls(sealCalls)],
    ['KMS requests to open one value', describeCalls(openCalls)],
    [`token read (opens ${SEALED_ATTRIBUTES.join(', ')})`, `${SEALED_ATTRIBUTES.length} x open`],
  ];
  print(`${TOKEN.length}-character token, ${iterations} operations per figure, median times, raw AES keyring on this machine:`);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) print(`  ${label.padEnd(width)}  ${value}`);
  return 0;
}

async function median(iterations: number, operation: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(iterations, 20); i += 1) await operation();
  const times: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const start = performance.now();
    await operation();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

function describeCalls(calls: readonly string[]): string {
  return calls.length === 0 ? 'none' : calls.join(', ');
}

/**
 * A stand-in for KMS: GenerateDataKey returns a fresh data key and a 184-byte blob (the size of a
 * symmetric KMS ciphertext), Decrypt returns the key that blob stands for. It records each call.
 */
function countingKms(): { client: KMSClient; take(): string[] } {
  const keys = new Map<string, Uint8Array>();
  let calls: string[] = [];
  const client = {
    send: async (command: GenerateDataKeyCommand | DecryptCommand) => {
      calls.push(command.constructor.name.replace(/Command$/, ''));
      if (command instanceof GenerateDataKeyCommand) {
        const plaintext = new Uint8Array(randomBytes(32));
        const blob = new Uint8Array(randomBytes(184));
        // Copies: the SDK zeroes the data keys it is given once it has used them.
        keys.set(Buffer.from(blob).toString('base64'), plaintext.slice());
        return { KeyId: KEY_ARN, Plaintext: plaintext, CiphertextBlob: blob };
      }
      const plaintext = keys.get(Buffer.from(command.input.CiphertextBlob!).toString('base64'))!.slice();
      return { KeyId: KEY_ARN, Plaintext: plaintext, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },
  };
  return {
    client: client as unknown as KMSClient,
    take: () => {
      const taken = calls;
      calls = [];
      return taken;
    },
  };
}

if (import.meta.main) runCli(main);
