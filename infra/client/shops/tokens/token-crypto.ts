import type * as EncryptionSdk from '@aws-crypto/client-node';
import type { AlgorithmSuiteIdentifier, KeyringNode, KmsKeyringNode, RawAesKeyringNode } from '@aws-crypto/client-node';
import type * as Kms from '@aws-sdk/client-kms';
import type { KMSClient } from '@aws-sdk/client-kms';
import { tableSchema } from '../../../data/schemas';
import { DataClientError } from '../../core/errors';
import * as check from '../../core/validate';
import { encryptionSdk, kmsCommands } from './sdk-on-demand.cjs';

/**
 * What a sealed value is bound to. The keys are the encryption context of every ciphertext, and
 * the names IAM conditions use (`kms:EncryptionContext:table`, `:shop`, `:attribute`).
 */
export interface SealContext {
  /** Physical table name, e.g. `Shops-prod`. */
  readonly table: string;
  /** The shop's myshopify.com domain. */
  readonly shop: string;
  /** The attribute the ciphertext is stored in, e.g. `accessToken`. */
  readonly attribute: string;
  /**
   * The id of the online session whose token this is; absent for the shop's own tokens. It binds
   * a user's token to that user's session, so it opens nowhere else.
   */
  readonly session?: string;
}

/** The encryption-context keys, in the order they are documented (`session` only on an online session's token). */
export const SEAL_CONTEXT_KEYS = ['table', 'shop', 'attribute', 'session'] as const satisfies readonly (keyof SealContext)[];

/**
 * Committing and unsigned: a signature only helps when those who may decrypt are trusted less than
 * those who encrypt, and here both are the token roles; it would add ~200 bytes to every ciphertext
 * and an ECDSA P-384 sign or verify to every write and read (see docs/decisions/0025-shopify-tokens-sealed-field-by-field-with-the-aws.md). The value of
 * `ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY`, written out so that loading this module
 * does not load the Encryption SDK (a test compares it with the SDK's).
 */
export const TOKEN_ALGORITHM_SUITE = 0x0478 as AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;

/**
 * The variable through which `npm run local -- --keep` hands an app on this machine the base64
 * raw AES key its demo tokens are sealed with (see {@link rawAesKeyring}).
 */
export const LOCAL_WRAPPING_KEY_ENV = 'LOCAL_TOKEN_WRAPPING_KEY';

/** Raw AES wrapping keys are 256 bits. */
const WRAPPING_KEY_BYTES = 32;

// Made on first use, as the SDK is loaded (sdk-on-demand.cjs).
let messages: ReturnType<typeof EncryptionSdk.buildClient> | undefined;
// One data key per ciphertext: a message carrying more is not ours, and each one would cost a KMS call.
const sealing = () =>
  (messages ??= encryptionSdk().buildClient({ commitmentPolicy: encryptionSdk().CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, maxEncryptedDataKeys: 1 }));

/** A value could not be sealed, or a sealed value not opened: wrong key, no permission, altered, or bound elsewhere. */
export class SealError extends DataClientError {
  static override readonly section: string = 'sealerror';
}

/**
 * Envelope encryption of single attribute values with the AWS Encryption SDK. Every ciphertext is
 * bound to its table, shop and attribute; {@link TokenCrypto.open} checks that binding, which the
 * SDK does not (it returns whatever context the message carries).
 */
export class TokenCrypto {
  private readonly keyring: KeyringNode;

  constructor(keyring: KeyringNode) {
    this.keyring = keyring;
  }

  /** Encrypts `plaintext` under a fresh data key, bound to `context`. */
  async seal(context: SealContext, plaintext: string): Promise<Uint8Array> {
    try {
      const { result } = await sealing().encrypt(this.keyring, plaintext, {
        encryptionContext: contextRecord(context),
        suiteId: TOKEN_ALGORITHM_SUITE,
      });
      return new Uint8Array(result);
    } catch (error) {
      throw new SealError(operationContext(context, 'tokens.seal'), `cannot seal the ${context.attribute}: ${causeName(error)}`);
    }
  }

  /** Decrypts a value sealed for exactly `context`; anything else raises {@link SealError}. */
  async open(context: SealContext, ciphertext: Uint8Array): Promise<string> {
    const where = operationContext(context, 'tokens.open');
    let opened: Awaited<ReturnType<ReturnType<typeof sealing>['decrypt']>>;
    try {
      opened = await sealing().decrypt(this.keyring, ciphertext);
    } catch (error) {
      throw new SealError(where, `cannot open the sealed ${context.attribute} (wrong key, no permission to use it, or altered): ${causeName(error)}`);
    }
    const expected = contextRecord(context);
    const found = opened.messageHeader.encryptionContext;
    const keys = new Set([...Object.keys(expected), ...Object.keys(found)]);
    if ([...keys].some((key) => expected[key] !== found[key])) {
      throw new SealError(where, `the sealed ${context.attribute} was sealed for another table, shop, attribute or session`);
    }
    return opened.plaintext.toString('utf8');
  }
}

/** A KMS key ARN, single- or multi-Region, in any partition: `arn:<partition>:kms:<region>:<account>:key/<id>`. */
const KEY_ARN = /^arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/**
 * The keyring of a deployed stage: the stage's token key, called through the given KMS client (its
 * region and credentials), one KMS call per data key. Takes the key's ARN (the stage's
 * `TokenKeyArn` output) and refuses anything else, an alias above all: the Encryption SDK seals
 * under an alias but opens only with the key ARN a ciphertext names, so an alias would write
 * tokens that can never be read back.
 */
export function kmsKeyring(tokenKeyArn: string, kms: KMSClient): KmsKeyringNode {
  if (typeof tokenKeyArn !== 'string' || !KEY_ARN.test(tokenKeyArn)) {
    check.refuse(
      { table: 'KMS', operation: 'kmsKeyring' },
      'tokenKeyArn',
      'must be a KMS key ARN ("arn:aws:kms:<region>:<account>:key/<key id>", the stage\'s TokenKeyArn output), not an alias or a bare key id: the Encryption SDK opens only with the key ARN a ciphertext names',
    );
  }
  if (typeof (kms as { send?: unknown } | undefined)?.send !== 'function') {
    check.refuse({ table: 'KMS', operation: 'kmsKeyring' }, 'kms', 'must be a KMSClient of @aws-sdk/client-kms (new KMSClient({ region }))');
  }
  const { DecryptCommand, EncryptCommand, GenerateDataKeyCommand } = kmsCommands();
  // The keyring calls v2-style methods; these send the same commands through the caller's client.
  const client = {
    generateDataKey: (input: Kms.GenerateDataKeyCommandInput) => kms.send(new GenerateDataKeyCommand(input)),
    encrypt: (input: Kms.EncryptCommandInput) => kms.send(new EncryptCommand(input)),
    decrypt: (input: Kms.DecryptCommandInput) => kms.send(new DecryptCommand(input)),
  };
  return new (encryptionSdk().KmsKeyringNode)({ generatorKeyId: tokenKeyArn, clientProvider: () => client });
}

/**
 * A raw AES-256 keyring standing in for KMS on this machine (tests, `npm run local`): the wrapping
 * key is a local setting that protects demo tokens only, never a stage's. `npm run local -- --keep`
 * prints it base64-encoded as {@link LOCAL_WRAPPING_KEY_ENV}.
 */
export function rawAesKeyring(wrappingKey: Uint8Array): RawAesKeyringNode {
  if (!(wrappingKey instanceof Uint8Array) || wrappingKey.length !== WRAPPING_KEY_BYTES) {
    const length = wrappingKey instanceof Uint8Array ? `${wrappingKey.length} bytes` : 'not bytes';
    check.refuse(
      { table: 'KMS', operation: 'rawAesKeyring' },
      'wrappingKey',
      `must be ${WRAPPING_KEY_BYTES} bytes (AES-256), not ${length}: locally, Buffer.from(process.env.${LOCAL_WRAPPING_KEY_ENV}, 'base64') with the key \`npm run local -- --keep\` prints`,
    );
  }
  const { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } = encryptionSdk();
  return new RawAesKeyringNode({
    keyNamespace: 'inavor-shuttle-local',
    keyName: 'token-wrapping-key',
    // The SDK wants a buffer of its own; small Buffers (e.g. from base64) share Node's pool.
    unencryptedMasterKey: new Uint8Array(wrappingKey),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
}

function contextRecord(context: SealContext): Record<string, string> {
  return Object.fromEntries(SEAL_CONTEXT_KEYS.flatMap((key) => (context[key] === undefined ? [] : [[key, context[key]]])));
}

function operationContext(context: SealContext, operation: string) {
  return { table: context.table, operation, key: { [tableSchema('Shops').partitionKey.name]: context.shop } };
}

// The error's name only: an SDK error's message and properties may quote the request that failed.
function causeName(error: unknown): string {
  return error instanceof Error && error.name !== 'Error' ? error.name : 'the encryption SDK refused it';
}
