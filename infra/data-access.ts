/**
 * The exact actions the application needs on its tables. Scan is left out on purpose: every
 * access pattern in the schema map is a GetItem or a Query.
 */
const DATA_ACTIONS = {
  read: [
    'dynamodb:BatchGetItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
    'dynamodb:GetItem',
    'dynamodb:Query',
  ],
  write: [
    'dynamodb:BatchWriteItem',
    'dynamodb:DeleteItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
  ],
} as const;

/** KMS actions DynamoDB performs on the caller's behalf for a table with a customer-managed key. */
const KEY_ACTIONS = {
  read: ['kms:Decrypt', 'kms:DescribeKey'],
  write: ['kms:Encrypt', 'kms:GenerateDataKey'],
} as const;

/** Level of data access granted to an application role. */
export type DataAccessLevel = 'read' | 'readWrite';

/** The DynamoDB and KMS actions for an access level, each list sorted and free of wildcards. */
export function actionsFor(level: DataAccessLevel): { table: string[]; key: string[] } {
  const withWrite = level === 'readWrite';
  return {
    table: [...DATA_ACTIONS.read, ...(withWrite ? DATA_ACTIONS.write : [])].sort(),
    key: [...KEY_ACTIONS.read, ...(withWrite ? KEY_ACTIONS.write : [])].sort(),
  };
}
