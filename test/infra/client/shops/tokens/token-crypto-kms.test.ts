import { randomBytes } from 'node:crypto';
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient, KMSServiceException } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { SealError, TokenCrypto, kmsKeyring, rawAesKeyring } from '../../../../../infra/client/shops';
import { InvalidInputError } from '../../../../../infra/client/core/errors';
import { findSecrets } from '../../../../support/secret-scan';

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const CONTEXT = { table: 'Shops-prod', shop: 'acme-outfitters.myshopify.com', attribute: 'accessToken' };
const TOKEN = `shpat_${randomBytes(16).toString('hex')}`;

const kms = new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const kmsMock = mockClient(kms);
const crypto = new TokenCrypto(kmsKeyring(KEY_ARN, kms));
// What KMS returns for a 256-bit data key: the key and a 184-byte ciphertext blob (the size of a symmetric KMS ciphertext).
const dataKey = new Uint8Array(randomBytes(32));
const wrappedDataKey = new Uint8Array(randomBytes(184));

beforeEach(() => {
  kmsMock.reset();
  kmsMock
    .on(GenerateDataKeyCommand)
    .resolves({ KeyId: KEY_ARN, Plaintext: dataKey, CiphertextBlob: wrappedDataKey })
    .on(DecryptCommand)
    .resolves({ KeyId: KEY_ARN, Plaintext: dataKey, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
});

test('sealing asks KMS for one data key under the token key, with the table, shop and attribute as encryption context', async () => {
  await crypto.seal(CONTEXT, TOKEN);
  const calls = kmsMock.calls();
  expect(calls).toHaveLength(1);
  expect(calls[0]!.args[0]).toBeInstanceOf(GenerateDataKeyCommand);
  expect(calls[0]!.args[0].input).toEqual({ KeyId: KEY_ARN, NumberOfBytes: 32, EncryptionContext: CONTEXT });
  expect(kmsMock.commandCalls(EncryptCommand)).toHaveLength(0);
});

test('opening sends exactly one KMS Decrypt, naming the token key, the stored data key and the same encryption context', async () => {
  const sealed = await crypto.seal(CONTEXT, TOKEN);
  kmsMock.resetHistory();
  expect(await crypto.open(CONTEXT, sealed)).toBe(TOKEN);
  const calls = kmsMock.commandCalls(DecryptCommand);
  expect(kmsMock.calls()).toHaveLength(1);
  expect(calls[0]!.args[0].input).toEqual({ KeyId: KEY_ARN, CiphertextBlob: wrappedDataKey, EncryptionContext: CONTEXT });
});

test('a ciphertext sealed for one shop does not open for another, even when KMS returns its data key', async () => {
  const sealed = await crypto.seal(CONTEXT, TOKEN);
  await expect(crypto.open({ ...CONTEXT, shop: 'northwind-gear.myshopify.com' }, sealed)).rejects.toThrow(
    'tokens.open on Shops-prod {domain: "northwind-gear.myshopify.com"}: the sealed accessToken was sealed for another table, shop, attribute or session',
  );
});

test('KMS refusing Decrypt (no token grant) is a SealError that carries neither the token nor the ciphertext', async () => {
  const sealed = await crypto.seal(CONTEXT, TOKEN);
  const denied = new KMSServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: {}, message: 'not authorized' });
  Object.assign(denied, { input: { CiphertextBlob: wrappedDataKey } });
  kmsMock.on(DecryptCommand).rejects(denied);
  const error = await crypto.open(CONTEXT, sealed).catch((thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(SealError);
  expect((error as Error).message).toBe(
    'tokens.open on Shops-prod {domain: "acme-outfitters.myshopify.com"}: cannot open the sealed accessToken (wrong key, no permission to use it, or altered): the encryption SDK refused it',
  );
  expect(findSecrets(error, { texts: [TOKEN], bytes: [sealed, wrappedDataKey, dataKey] })).toEqual([]);
});

test('KMS refusing GenerateDataKey is a SealError that carries neither the token nor the data key', async () => {
  kmsMock.on(GenerateDataKeyCommand).rejects(new KMSServiceException({ name: 'KMSInvalidStateException', $fault: 'client', $metadata: {}, message: `disabled ${TOKEN}` }));
  const error = await crypto.seal(CONTEXT, TOKEN).catch((thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(SealError);
  expect((error as Error).message).toBe('tokens.seal on Shops-prod {domain: "acme-outfitters.myshopify.com"}: cannot seal the accessToken: KMSInvalidStateException');
  expect(findSecrets(error, { texts: [TOKEN], bytes: [wrappedDataKey, dataKey] })).toEqual([]);
});

test('kmsKeyring takes the key ARN and refuses an alias, an alias ARN or a bare key id before any KMS call, naming tokenKeyArn', () => {
  const multiRegion = 'arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';
  expect(() => kmsKeyring(multiRegion, kms)).not.toThrow();
  for (const refused of ['alias/inavor-shuttle/prod/tokens', 'arn:aws:kms:us-east-1:111122223333:alias/inavor-shuttle/prod/tokens', '1234abcd-12ab-34cd-56ef-1234567890ab', '']) {
    expect(() => kmsKeyring(refused, kms)).toThrow(expect.objectContaining({ name: 'InvalidInputError', field: 'tokenKeyArn' }));
  }
  expect(kmsMock.calls()).toHaveLength(0);
});

test('a missing or short local wrapping key is refused naming LOCAL_TOKEN_WRAPPING_KEY, not as "not 0 bytes"', () => {
  expect(() => rawAesKeyring(Buffer.from(process.env.NOT_SET_ANYWHERE ?? '', 'base64'))).toThrow(
    "wrappingKey must be 32 bytes (AES-256), not 0 bytes: locally, Buffer.from(process.env.LOCAL_TOKEN_WRAPPING_KEY, 'base64') with the key `npm run local -- --keep` prints",
  );
  expect(() => rawAesKeyring('key' as never)).toThrow(InvalidInputError);
});
