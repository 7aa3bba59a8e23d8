import { eventMatches } from './event-pattern';

/** The pattern matcher the security-alarm tests rest on, held to EventBridge's documented rules case by case. */

const event = {
  source: 'aws.kms',
  detail: {
    eventName: 'PutKeyPolicy',
    readOnly: false,
    resources: [{ ARN: 'arn:aws:kms:us-east-1:111122223333:key/k' }],
    userIdentity: { type: 'AssumedRole', sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::111122223333:role/deploy' } } },
  },
};
const rootEvent = { source: 'aws.kms', detail: { eventName: 'PutKeyPolicy', userIdentity: { type: 'Root', arn: 'arn:aws:iam::111122223333:root' } } };
const issuer = (rule: unknown) => ({ detail: { userIdentity: { sessionContext: { sessionIssuer: { arn: [rule] } } } } });

test('literals: a value, or any element of an array value, equals one of the list; booleans too', () => {
  expect(eventMatches({ source: ['aws.iam', 'aws.kms'] }, event)).toBe(true);
  expect(eventMatches({ source: ['aws.iam'] }, event)).toBe(false);
  expect(eventMatches({ detail: { readOnly: [false] } }, event)).toBe(true);
  expect(eventMatches({ detail: { readOnly: [true] } }, event)).toBe(false);
  expect(eventMatches({ detail: { resources: { ARN: ['arn:aws:kms:us-east-1:111122223333:key/k'] } } }, event)).toBe(false);
});

test('prefix and wildcard match strings only', () => {
  expect(eventMatches({ detail: { eventName: [{ prefix: 'PutKey' }] } }, event)).toBe(true);
  expect(eventMatches({ detail: { eventName: [{ prefix: 'Delete' }] } }, event)).toBe(false);
  expect(eventMatches(issuer({ wildcard: 'arn:aws:iam::*:role/deploy' }), event)).toBe(true);
  expect(eventMatches(issuer({ wildcard: 'arn:aws:iam::*:role/deploy-*' }), event)).toBe(false);
  expect(eventMatches({ detail: { readOnly: [{ prefix: 'f' }] } }, event)).toBe(false);
});

test('anything-but matches a value that is there and is none of those named (or lacks the prefix), never a missing one', () => {
  expect(eventMatches(issuer({ 'anything-but': 'arn:aws:iam::111122223333:role/deploy' }), event)).toBe(false);
  expect(eventMatches(issuer({ 'anything-but': ['arn:aws:iam::111122223333:role/other'] }), event)).toBe(true);
  expect(eventMatches(issuer({ 'anything-but': { prefix: 'arn:aws:iam::111122223333:role/dep' } }), event)).toBe(false);
  expect(eventMatches(issuer({ 'anything-but': 'arn:aws:iam::111122223333:role/deploy' }), rootEvent)).toBe(false);
});

test('exists tests presence; below a missing object, exists false holds and every other filter fails', () => {
  expect(eventMatches(issuer({ exists: true }), event)).toBe(true);
  expect(eventMatches(issuer({ exists: false }), event)).toBe(false);
  expect(eventMatches(issuer({ exists: false }), rootEvent)).toBe(true);
  expect(eventMatches(issuer({ exists: true }), rootEvent)).toBe(false);
});

test('$or holds when any of its patterns does, beside the other fields', () => {
  const notDeploy = {
    source: ['aws.kms'],
    detail: { $or: [issuer({ 'anything-but': 'arn:aws:iam::111122223333:role/deploy' }).detail, issuer({ exists: false }).detail] },
  };
  expect(eventMatches(notDeploy, event)).toBe(false);
  expect(eventMatches(notDeploy, rootEvent)).toBe(true);
  expect(eventMatches({ ...notDeploy, source: ['aws.iam'] }, rootEvent)).toBe(false);
});

test('what is outside the subset is refused, not guessed', () => {
  expect(() => eventMatches({ detail: { eventName: [{ suffix: 'Policy' }] } }, event)).toThrow('pattern operator {"suffix":"Policy"} is not supported');
  expect(() => eventMatches({ detail: { eventName: 'PutKeyPolicy' } }, event)).toThrow('pattern field eventName: expected a list or an object');
  expect(() => eventMatches({ $or: [{ source: ['aws.kms'] }] }, event)).toThrow('$or: expected a list of two patterns or more');
});
