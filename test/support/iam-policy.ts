/**
 * An offline evaluator of the subset of the IAM policy language this project's key, vault, trust,
 * role and service control policies use, written from AWS's "Policy evaluation logic",
 * "Cross-account policy evaluation logic" and "Condition operators" pages:
 *
 * - an explicit Deny in any policy that applies (resource policy, IAM, SCP) wins;
 * - service control policies, when given, must also allow: a request no SCP allows is refused;
 * - KMS key policies and role trust policies must allow the request, either naming the principal
 *   (enough by itself) or naming its account (`:root` or the id), which hands the decision to the
 *   principal's IAM policies: an IAM Allow alone never uses a key or assumes a role;
 * - other resource policies, within one account: an Allow in the resource policy or in IAM suffices;
 * - across accounts, every service: the resource policy must allow (naming the principal or its
 *   account) and the principal's IAM policies must allow too;
 * - the account's root user is named by its account, not by a role; it holds every permission of
 *   its account (no IAM policy applies to it), so a resource policy naming the account lets it in;
 * - a statement applies when its principal, action, resource and every condition match. Within a
 *   condition, operators and keys are ANDed and the values of one key ORed (a negated operator
 *   matches when the value equals none of them); a key missing from the request fails a positive
 *   operator and passes a negated one, `...IfExists` passes on a missing key, `Null` tests presence.
 *
 * Not modelled, and refused with an error rather than guessed where a policy could use it:
 * ForAnyValue/ForAllValues, numeric, date and IP operators, policy variables, NotPrincipal,
 * permission boundaries, session policies, a resource-policy statement without Principal, an
 * identity or resource statement without Resource (only trust policies have none), a resource
 * whose ARN names no account. KMS grants are not modelled at all: a grant can add an Allow that no
 * policy here shows (DynamoDB's grants on the table key are one), so an `implicitDeny` on a key
 * says only that no policy allows it; an `explicitDeny` from the key policy holds whatever grants
 * exist, since a Deny in the key policy outranks a grant. Service-linked roles and the
 * organization's management account, which SCPs do not restrict, are not modelled either.
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

/**
 * Who makes a request: a role session, the root user of an account, a principal federated by an
 * identity provider (e.g. a GitHub Actions job through its OIDC provider), or an AWS service acting
 * as itself.
 */
export type Caller =
  | { readonly kind: 'role'; readonly arn: string }
  | { readonly kind: 'root'; readonly account: string }
  | { readonly kind: 'federated'; readonly provider: string }
  | { readonly kind: 'service'; readonly service: string };

/** One API call to evaluate. */
export interface AccessRequest {
  readonly caller: Caller;
  /** e.g. `kms:Decrypt`. */
  readonly action: string;
  /** ARN of the resource acted on (for `sts:AssumeRole*`, the role). */
  readonly resource: string;
  /** Request context keys beyond the caller's own (e.g. `kms:ViaService`, `token.actions.githubusercontent.com:sub`). */
  readonly context?: Readonly<Record<string, string>>;
  /** The account that owns the resource, for an ARN that names none (an S3 bucket's). */
  readonly resourceAccount?: string;
}

/** What governs the resource. */
export interface Policies {
  /**
   * How the resource policy combines with IAM: a KMS key policy and a role's trust policy (`trust`)
   * must allow; other resource policies need IAM or the resource policy to allow, within one account.
   */
  readonly service: 'kms' | 'trust' | 'other';
  /** The resource's own policy (key policy, trust policy, vault access policy). */
  readonly resourcePolicy?: PolicyDocument;
  /** The caller's IAM policies (none for a service, the root user or a federated principal). */
  readonly identityPolicies?: readonly PolicyDocument[];
  /** The organization's service control policies over the caller's account; none means no organization. */
  readonly scps?: readonly PolicyDocument[];
}

/** The outcome: allowed, refused by a Deny (with its Sid), or refused for lack of an Allow. */
export type Decision = { readonly decision: 'allow' } | { readonly decision: 'explicitDeny'; readonly sid?: string } | { readonly decision: 'implicitDeny' };

type Match = 'directly' | 'account' | 'no';

/** Decides `request` under `policies`, as AWS documents the evaluation. */
export function evaluate(request: AccessRequest, policies: Policies): Decision {
  const context = requestContext(request);
  const { caller } = request;
  const trust = policies.service === 'trust';
  const resourceStatements = statementsOf(policies.resourcePolicy);
  const identityStatements = (policies.identityPolicies ?? []).flatMap(statementsOf);
  const scpStatements = (policies.scps ?? []).flatMap(statementsOf);
  if (caller.kind !== 'role' && identityStatements.length > 0) throw new Error(`a ${caller.kind} caller has no IAM policies of its own`);
  const applying = (statement: Statement, kind: 'resource' | 'identity') =>
    (kind === 'identity' || principalMatches(statement, caller) !== 'no') && appliesTo(statement, request, context, kind === 'resource' && trust);

  const deny = [
    ...resourceStatements.map((s) => [s, 'resource'] as const),
    ...identityStatements.map((s) => [s, 'identity'] as const),
    ...(scpApplies(caller) ? scpStatements.map((s) => [s, 'identity'] as const) : []),
  ].find(([statement, kind]) => statement.Effect === 'Deny' && applying(statement, kind));
  if (deny) return { decision: 'explicitDeny', sid: deny[0].Sid };
  if (scpApplies(caller) && policies.scps !== undefined && !scpStatements.some((s) => s.Effect === 'Allow' && applying(s, 'identity'))) {
    return { decision: 'implicitDeny' };
  }

  // The root user holds every permission of its own account; no IAM policy applies to it.
  const identityAllows =
    caller.kind === 'root'
      ? caller.account === accountOfResource(request)
      : caller.kind === 'role' && identityStatements.some((s) => s.Effect === 'Allow' && applying(s, 'identity'));
  const resourceAllows = resourceStatements.filter((statement) => statement.Effect === 'Allow' && applying(statement, 'resource')).map((s) => principalMatches(s, caller));
  const named = resourceAllows.includes('directly');
  const accountNamed = resourceAllows.includes('account');
  const allow = { decision: 'allow' } as const;
  const refuse = { decision: 'implicitDeny' } as const;

  const callerAccount = accountOfCaller(caller);
  if (callerAccount !== undefined && callerAccount !== accountOfResource(request)) {
    // Across accounts both sides must allow: the resource's policy, and the caller's own account.
    return (named || accountNamed) && identityAllows ? allow : refuse;
  }
  if (policies.service === 'kms' || trust) {
    // The key or trust policy decides: naming the caller allows; naming the account lets IAM allow.
    return named || (accountNamed && identityAllows) ? allow : refuse;
  }
  // Elsewhere a resource policy that names the caller allows by itself; one that names only the
  // caller's account grants nothing of its own: IAM decides.
  return named || identityAllows ? allow : refuse;
}

/** The statements of a document, a lone statement counting as a list of one. */
export function statementsOf(document: PolicyDocument | undefined): Statement[] {
  if (!document) return [];
  return [document.Statement].flat() as Statement[];
}

/** SCPs restrict the principals of member accounts, not AWS services or federated principals before they assume a role. */
function scpApplies(caller: Caller): boolean {
  return caller.kind === 'role' || caller.kind === 'root';
}

function requestContext(request: AccessRequest): Map<string, string> {
  const context = new Map<string, string>();
  const { caller } = request;
  const account = accountOfCaller(caller);
  if (caller.kind === 'role' || caller.kind === 'root') {
    context.set('aws:principalarn', caller.kind === 'role' ? caller.arn : `arn:aws:iam::${caller.account}:root`);
    context.set('aws:principalaccount', account!);
    context.set('aws:principaltype', caller.kind === 'role' ? 'AssumedRole' : 'Account');
    if (request.action.toLowerCase().startsWith('kms:')) context.set('kms:calleraccount', account!);
  }
  context.set('aws:principalisawsservice', caller.kind === 'service' ? 'true' : 'false');
  for (const [key, value] of Object.entries(request.context ?? {})) context.set(key.toLowerCase(), value);
  return context;
}

function accountOfCaller(caller: Caller): string | undefined {
  if (caller.kind === 'role') return accountOf(caller.arn);
  return caller.kind === 'root' ? caller.account : undefined;
}

function accountOf(arn: string): string {
  const account = arn.split(':')[4];
  if (!account) throw new Error(`${arn} is not an ARN with an account`);
  return account;
}

function accountOfResource(request: AccessRequest): string {
  const account = request.resource.split(':')[4] || request.resourceAccount;
  if (!account || !/^\d{12}$/.test(account)) throw new Error(`cannot tell the account of ${request.resource}; name a resource ARN with an account, or its resourceAccount`);
  return account;
}

/** Whether a resource-policy statement names the caller: directly, through its account (`:root` or the id), or not. */
function principalMatches(statement: Statement, caller: Caller): Match {
  if (statement.NotPrincipal !== undefined) throw new Error(`NotPrincipal is not supported (statement ${statement.Sid ?? 'without Sid'})`);
  const principal = statement.Principal;
  if (principal === undefined) throw new Error(`a resource-policy statement without Principal (${statement.Sid ?? 'without Sid'})`);
  if (principal === '*') return 'directly';
  const callerAccount = accountOfCaller(caller);
  let match: Match = 'no';
  for (const [type, values] of Object.entries(principal as Record<string, string | string[]>)) {
    for (const value of [values].flat()) {
      if (type === 'AWS') {
        if (value === '*') return 'directly';
        if (caller.kind === 'role' && value === caller.arn) return 'directly';
        const account = /^\d{12}$/.test(value) ? value : /^arn:[^:]+:iam::(\d{12}):root$/.exec(value)?.[1];
        // The account principal stands for every principal of the account, its root user included.
        if (account !== undefined && account === callerAccount) match = 'account';
      } else if (type === 'Service') {
        if (caller.kind === 'service' && value === caller.service) return 'directly';
      } else if (type === 'Federated') {
        if (caller.kind === 'federated' && value === caller.provider) return 'directly';
      } else {
        throw new Error(`principal type ${type} is not supported`);
      }
    }
  }
  return match;
}

function appliesTo(statement: Statement, request: AccessRequest, context: Map<string, string>, trustPolicy: boolean): boolean {
  const actionMatches = (patterns: string | readonly string[]) => [patterns].flat().some((pattern) => wildcard(pattern, 'i').test(request.action));
  const resourceMatches = (patterns: string | readonly string[]) => [patterns].flat().some((pattern) => arnLike(pattern, request.resource));
  if (statement.Action !== undefined ? !actionMatches(statement.Action) : statement.NotAction === undefined || actionMatches(statement.NotAction)) {
    return false;
  }
  const where = statement.Sid ?? 'without Sid';
  if (trustPolicy) {
    // A trust policy is the role's own: its statements name no resource, and apply to the role.
    if (statement.Resource !== undefined || statement.NotResource !== undefined) throw new Error(`a trust-policy statement names a Resource (${where})`);
  } else if (statement.Resource === undefined && statement.NotResource === undefined) {
    throw new Error(`a statement without Resource or NotResource outside a trust policy (${where})`);
  } else if (statement.Resource !== undefined ? !resourceMatches(statement.Resource) : resourceMatches(statement.NotResource!)) {
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
