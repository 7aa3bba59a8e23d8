import { randomBytes } from 'node:crypto';
import { GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import { createDataClient, kmsKeyring, SEALED_ATTRIBUTES, SealError, tableNamesFromStackOutputs, TokenCrypto, type OpenedTokens, type SealedAttribute, type ShopTokens } from '../../infra/client';
import { tableSchema } from '../../infra/data/schemas';
import type { StageName } from '../../infra/data/stages';
import type { DeployedStage } from './deploy-stage';
import { MOTO_GAPS, type Rehearsal } from './report';

const HOUR_MS = 60 * 60 * 1000;

function issueTokens(): ShopTokens {
  const now = Date.now();
  return {
    ...(Object.fromEntries(SEALED_ATTRIBUTES.map((attribute) => [attribute, `shp_${attribute}_${randomBytes(16).toString('hex')}`])) as Record<SealedAttribute, string>),
    accessTokenExpiresAt: new Date(now + HOUR_MS),
    refreshTokenExpiresAt: new Date(now + 90 * 24 * HOUR_MS),
    scopes: ['read_products', 'write_products'],
  };
}

const sealedOf = (tokens: ShopTokens) => SEALED_ATTRIBUTES.map((attribute) => tokens[attribute]!);
/** The plain text of tokens as read: each secret revealed. */
const openedOf = (tokens: OpenedTokens<SealedAttribute>) => SEALED_ATTRIBUTES.map((attribute) => tokens[attribute]?.reveal());

/**
 * The token store on a stage's token key in moto's KMS (the KMS keyring, as the app uses it):
 * tokens are stored as ciphertext, open with the right key and context, and with nothing else.
 */
export async function rehearseTokens(
  rehearsal: Rehearsal,
  { dynamodb, kms }: { dynamodb: DynamoDBClient; kms: KMSClient },
  stage: StageName,
  deployed: DeployedStage,
): Promise<void> {
  const doc = DynamoDBDocumentClient.from(dynamodb);
  const tables = tableNamesFromStackOutputs(stage, deployed.outputs);
  const client = (keyArn: string) => createDataClient({ tables, doc, tokenCrypto: new TokenCrypto(kmsKeyring(keyArn, kms)) });
  const data = client(deployed.outputs.TokenKeyArn!);
  const domainKey = tableSchema('Shops').partitionKey.name;
  const shop = () => `rehearsal-${randomBytes(4).toString('hex')}.myshopify.com`;
  const profile = (domain: string) => ({ domain, name: 'Rehearsal Shop', plan: 'pro', billingStatus: 'active' as const, settings: { locale: 'en-US' } });
  const raw = async (domain: string) =>
    (await dynamodb.send(new GetItemCommand({ TableName: tables.Shops, Key: { [domainKey]: { S: domain } }, ConsistentRead: true }))).Item ?? {};

  const first = shop();
  const tokens = issueTokens();
  await data.shops.install(profile(first), tokens);
  const read = await data.tokens.read(first);
  rehearsal.check(`tokens on ${stage}: installed and read back through the token key in KMS`, JSON.stringify(openedOf(read.tokens)) === JSON.stringify(sealedOf(tokens)));
  const item = await raw(first);
  rehearsal.check(
    `tokens on ${stage}: each sealed attribute is stored as ciphertext, no token in the item`,
    SEALED_ATTRIBUTES.every((attribute) => item[attribute]?.B !== undefined) &&
      !sealedOf(tokens).some((secret) => JSON.stringify(item).includes(secret) || SEALED_ATTRIBUTES.some((attribute) => Buffer.from(item[attribute]?.B ?? []).includes(secret))),
  );
  const next = issueTokens();
  const version = await data.tokens.replace(first, read, next);
  const refreshed = await data.tokens.read(first);
  rehearsal.check(
    `tokens on ${stage}: replaced after a refresh, and the new ones read back`,
    refreshed.version === version && JSON.stringify(openedOf(refreshed.tokens)) === JSON.stringify(sealedOf(next)),
  );

  const wrongKey = await client(deployed.outputs.DataKeyArn!).tokens.read(first).then(() => undefined, (error: unknown) => error);
  rehearsal.check(`tokens on ${stage}: another KMS key (the data key) cannot open them`, wrongKey instanceof SealError, String(wrongKey));

  const second = shop();
  await data.shops.install(profile(second), issueTokens());
  const [attribute] = SEALED_ATTRIBUTES;
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: tables.Shops,
      Key: { [domainKey]: { S: second } },
      UpdateExpression: 'SET #sealed = :copied',
      ExpressionAttributeNames: { '#sealed': attribute! },
      ExpressionAttributeValues: { ':copied': { B: (await raw(first))[attribute!]!.B! } },
    }),
  );
  const wrongShop = await data.tokens.read(second).then(() => undefined, (error: unknown) => error);
  rehearsal.check(`tokens on ${stage}: a token copied to another shop's item does not open there`, wrongShop instanceof SealError, String(wrongShop));
  rehearsal.notChecked(`tokens on ${stage}: a disabled token key refuses to open them`, MOTO_GAPS.disabledKeys);
  rehearsal.notChecked(`tokens on ${stage}: only a role with the token grant can open them`, MOTO_GAPS.iam);
}
