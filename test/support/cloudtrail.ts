import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The recorded CloudTrail entries of test/fixtures/cloudtrail (see its README): where each comes from, and the entry. */
const FIXTURES = join(__dirname, '..', 'fixtures', 'cloudtrail');

/** Every recorded call, as `<service>.<EventName>` (e.g. `kms.PutKeyPolicy`). */
export function recordedCalls(): string[] {
  return readdirSync(FIXTURES)
    .filter((file) => file.endsWith('.json') && !file.startsWith('identity.'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

/** The recorded entry of a call, e.g. `recordedEntry('kms.PutKeyPolicy')`. */
export function recordedEntry(call: string): Record<string, any> {
  return (JSON.parse(readFileSync(join(FIXTURES, `${call}.json`), 'utf8')) as { record: Record<string, any> }).record;
}

/**
 * Who makes a call: a session of a role (made by CloudFormation with its credentials when
 * `throughCloudFormation`), or whoever the recorded entry names.
 */
export type RecordedCaller = { readonly role: string; readonly throughCloudFormation?: boolean } | 'asRecorded';

/** Options of {@link recordedCall}. */
export interface RecordedCallOptions {
  readonly account: string;
  readonly region: string;
  /** Fields to change, by dotted path into the entry; the path's parent must be in the entry. */
  readonly set?: Readonly<Record<string, unknown>>;
  readonly caller?: RecordedCaller;
}

/**
 * A recorded CloudTrail entry as EventBridge delivers it ("AWS API Call via CloudTrail"), made in
 * `account` and `region`, with the fields a case names changed: only fields whose parent object the
 * entry has, so a case cannot invent a shape the call does not have.
 */
export function recordedCall(call: string, options: RecordedCallOptions): Record<string, unknown> {
  const record = structuredClone(recordedEntry(call));
  for (const [path, value] of Object.entries(options.set ?? {})) setPath(record, path, value, call);
  record.awsRegion = options.region;
  record.recipientAccountId = options.account;
  const caller = options.caller ?? 'asRecorded';
  if (caller !== 'asRecorded') record.userIdentity = roleSession(caller.role, options.account, caller.throughCloudFormation === true);
  const service = (record.eventSource as string).split('.')[0]!;
  return {
    version: '0',
    id: record.eventID,
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${service}`,
    account: options.account,
    time: record.eventTime,
    region: options.region,
    resources: [],
    detail: record,
  };
}

/** A role session's userIdentity, in the shape of the recorded one (test/fixtures/cloudtrail/identity.AssumedRole.json). */
function roleSession(roleArn: string, account: string, throughCloudFormation: boolean): Record<string, unknown> {
  const identity = structuredClone(recordedEntry('identity.AssumedRole'));
  const name = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  identity.arn = `arn:aws:sts::${account}:assumed-role/${name}/session`;
  identity.accountId = account;
  Object.assign(identity.sessionContext.sessionIssuer, { arn: roleArn, accountId: account, userName: name });
  // CloudFormation, deploying with a caller's credentials, makes each call as that caller, naming itself.
  if (throughCloudFormation) identity.invokedBy = 'cloudformation.amazonaws.com';
  return identity;
}

function setPath(record: Record<string, any>, path: string, value: unknown, call: string): void {
  const keys = path.split('.');
  const parent = keys.slice(0, -1).reduce<any>((node, key) => (node && typeof node === 'object' ? node[key] : undefined), record);
  if (!parent || typeof parent !== 'object' || Array.isArray(parent)) throw new Error(`${call}: the recorded entry has no ${keys.slice(0, -1).join('.') || 'top level'} to set ${path} in`);
  parent[keys.at(-1)!] = value;
}
