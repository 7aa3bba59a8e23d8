/**
 * An offline evaluator of the subset of the IAM policy language this project's key, vault and role
 * policies use, written from AWS's "Policy evaluation logic" and "Condition operators" pages:
 *
 * - an explicit Deny in any policy that applies wins;
 * - KMS: a key policy must allow the request, either naming the principal (enough by itself) or
 *   naming the account (`:root`), which hands the decision to the principal's IAM policies;
 * - other resource policies, within one account: an Allow in the resource policy or in IAM suffices;
 * - a statement applies when its principal, action, resource and every condition match. Within a
 *   condition, operators and keys are ANDed and the values of one key ORed (a negated operator
 *   matches when the value equals none of them); a key missing from the request fails a positive
 *   operator and passes a negated one, `...IfExists` passes on a missing key, `Null` tests presence.
 *
 * What the policies here do not use (ForAnyValue/ForAllValues, numeric, date and IP operators,
 * policy variables, NotPrincipal with an account, permission boundaries, SCPs, sessions) is refused
 * with an error rather than guessed, so a policy that starts using it fails its tests.
 */

/** A policy statement with its intrinsics resolved. */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** A policy document: its statements. */
export interface PolicyDocument {
  readonly Statement: Statement | readonly Statement[];
}

/** Who makes a request: a role session of an account, or an AWS service acting as itself. */
export type Caller =
  | { readonly kind: 'role'; readonly arn: string }
  | { readonly kind: 'service'; readonly service: string };

/** One API call to evaluate. */
export interface AccessRequest {
  readonly caller: Caller;
  /** e.g. `kms:Decrypt`. */
  readonly action: string;
  /** ARN of the resource acted on. */
  readonly resource: string;
  /** Request context keys beyond the caller's own (e.g. `kms:ViaService`, `kms:EncryptionContext:shop`). */
  readonly context?: Readonly<Record<string, string>>;
}

/** What governs the resource. */
export interface Policies {
  /** How the resource policy combines with IAM: KMS key policies must allow; others need IAM or the resource policy to allow. */
  readonly service: 'kms' | 'other';
  /** The resource's own policy (key policy, vault access policy). */
  readonly resourcePolicy?: PolicyDocument;
  /** The caller's IAM policies (none for a service). */
  readonly identityPolicies?: readonly PolicyDocument[];
}

/** The outcome: allowed, refused by a Deny (with its Sid), or refused for lack of an Allow. */
export type Decision = { readonly decision: 'allow' } | { readonly decision: 'explicitDeny'; readonly sid?: string } | { readonly decision: 'implicitDeny' };

/** Decides `request` under `policies`, as AWS documents the evaluation for a caller of the resource's account. */
export function evaluate(request: AccessRequest, policies: Policies): Decision {
  const context = requestContext(request);
  const resourceStatements = statementsOf(policies.resourcePolicy);
  const identityStatements = (policies.identityPolicies ?? []).flatMap(statementsOf);
  const applying = (statement: Statement, fromResourcePolicy: boolean) =>
    (!fromResourcePolicy || principalMatches(statement, request.caller) !== 'no') && appliesTo(statement, request, context);

  const deny = [...resourceStatements.map((s) => [s, true] as const), ...identityStatements.map((s) => [s, false] as const)].find(
    ([statement, fromResource]) => statement.Effect === 'Deny' && applying(statement, fromResource),
  );
  if (deny) return { decision: 'explicitDeny', sid: deny[0].Sid };

  const identityAllows = request.caller.kind === 'role' && identityStatements.some((s) => s.Effect === 'Allow' && applying(s, false));
  const resourceAllows = resourceStatements
    .filter((statement) => statement.Effect === 'Allow' && applying(statement, true))
    .map((statement) => principalMatches(statement, request.caller));
  if (policies.service === 'kms') {
    // The key policy decides: naming the caller allows; naming the account lets IAM allow.
    if (resourceAllows.includes('directly') || (resourceAllows.includes('account') && identityAllows)) return { decision: 'allow' };
    return { decision: 'implicitDeny' };
  }
  // Elsewhere a resource policy that names the caller allows by itself; one that names only the
  // caller's account grants nothing of its own: IAM decides.
  return resourceAllows.includes('directly') || identityAllows ? { decision: 'allow' } : { decision: 'implicitDeny' };
}

/** The statements of a document, a lone statement counting as a list of one. */
export function statementsOf(document: PolicyDocument | undefined): Statement[] {
  if (!document) return [];
  return [document.Statement].flat() as Statement[];
}

function requestContext(request: AccessRequest): Map<string, string> {
  const context = new Map<string, string>();
  const { caller } = request;
  if (caller.kind === 'role') {
    const account = accountOf(caller.arn);
    context.set('aws:principalarn', caller.arn);
    context.set('aws:principalaccount', account);
    context.set('aws:principalisawsservice', 'false');
    if (request.action.toLowerCase().startsWith('kms:')) context.set('kms:calleraccount', account);
  } else {
    context.set('aws:principalisawsservice', 'true');
  }
  for (const [key, value] of Object.entries(request.context ?? {})) context.set(key.toLowerCase(), value);
  return context;
}

function accountOf(arn: string): string {
  const account = arn.split(':')[4];
  if (!account) throw new Error(`${arn} is not an ARN with an account`);
  return account;
}

/** Whether a resource-policy statement names the caller: directly, through its account (`:root` or the id), or not. */
function principalMatches(statement: Statement, caller: Caller): 'directly' | 'account' | 'no' {
  if (statement.NotPrincipal !== undefined) throw new Error(`NotPrincipal is not supported (statement ${statement.Sid ?? 'without Sid'})`);
  const principal = statement.Principal;
  if (principal === undefined) throw new Error(`a resource-policy statement without Principal (${statement.Sid ?? 'without Sid'})`);
  if (principal === '*') return 'directly';
  const entries = Object.entries(principal as Record<string, string | string[]>);
  let match: 'directly' | 'account' | 'no' = 'no';
  for (const [type, values] of entries) {
    for (const value of [values].flat()) {
      if (type === 'AWS') {
        if (value === '*') return 'directly';
        if (caller.kind !== 'role') continue;
        if (value === caller.arn) return 'directly';
        if (/^\d{12}$/.test(value) || /^arn:[^:]+:iam::\d{12}:root$/.test(value)) {
          if (accountOf(value.length === 12 ? `arn:aws:iam::${value}:root` : value) === accountOf(caller.arn)) match = 'account';
        }
      } else if (type === 'Service') {
        if (caller.kind === 'service' && value === caller.service) return 'directly';
      } else {
        throw new Error(`principal type ${type} is not supported`);
      }
    }
  }
  return match;
}

function appliesTo(statement: Statement, request: AccessRequest, context: Map<string, string>): boolean {
  const actionMatches = (patterns: string | readonly string[]) => [patterns].flat().some((pattern) => wildcard(pattern, 'i').test(request.action));
  const resourceMatches = (patterns: string | readonly string[]) => [patterns].flat().some((pattern) => arnLike(pattern, request.resource));
  if (statement.Action !== undefined ? !actionMatches(statement.Action) : statement.NotAction === undefined || actionMatches(statement.NotAction)) {
    return false;
  }
  if (statement.Resource !== undefined ? !resourceMatches(statement.Resource) : statement.NotResource === undefined || resourceMatches(statement.NotResource)) {
    return false;
  }
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) => conditionHolds(operator, context.get(key.toLowerCase()), [values].flat())),
  );
}

type Matcher = (policyValue: string, requestValue: string) => boolean;

const MATCHERS: Record<string, { match: Matcher; negated: boolean }> = {
  StringEquals: { match: (policy, value) => policy === value, negated: false },
  StringNotEquals: { match: (policy, value) => policy === value, negated: true },
  StringEqualsIgnoreCase: { match: (policy, value) => policy.toLowerCase() === value.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { match: (policy, value) => policy.toLowerCase() === value.toLowerCase(), negated: true },
  StringLike: { match: (policy, value) => wildcard(policy, '').test(value), negated: false },
  StringNotLike: { match: (policy, value) => wildcard(policy, '').test(value), negated: true },
  ArnEquals: { match: arnLike, negated: false },
  ArnLike: { match: arnLike, negated: false },
  ArnNotEquals: { match: arnLike, negated: true },
  ArnNotLike: { match: arnLike, negated: true },
  Bool: { match: (policy, value) => policy.toLowerCase() === value.toLowerCase(), negated: false },
};

/** One operator on one key: `values` are the policy's values for it, `requestValue` the context's (undefined when absent). */
export function conditionHolds(operator: string, requestValue: string | undefined, values: readonly string[]): boolean {
  if (operator.includes(':')) throw new Error(`set operator ${operator} is not supported`);
  if (operator === 'Null') {
    // "true": the key must be absent; "false": present.
    return values.some((value) => (value.toLowerCase() === 'true') === (requestValue === undefined));
  }
  const ifExists = operator.endsWith('IfExists');
  const base = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
  const matcher = MATCHERS[base];
  if (!matcher) throw new Error(`condition operator ${operator} is not supported`);
  if (requestValue === undefined) return ifExists || matcher.negated;
  const any = values.some((value) => matcher.match(value, requestValue));
  return matcher.negated ? !any : any;
}

/** IAM's wildcards: `*` any run of characters, `?` any one. */
function wildcard(pattern: string, flags: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, flags);
}

/** ArnLike: the six colon-separated parts compared one by one, each with wildcards; `*` alone matches any ARN. */
function arnLike(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const split = (value: string) => {
    const parts = value.split(':');
    return [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  if (pattern.split(':').length < 6 || arn.split(':').length < 6) return false;
  const actual = split(arn);
  return split(pattern).every((part, i) => wildcard(part, '').test(actual[i]!));
}
