/**
 * The custodial actions: what only the break-glass role (and, for policy and alias changes, the
 * stage's deploy role) may call on the stage's keys and vaults, and the role changes the security
 * alarms watch. The key and vault policies refuse them to everyone else; the service control
 * policies and the alarms are built from the same lists.
 */

/** Key actions that encrypt or decrypt data, as opposed to managing or describing the key. */
export const KEY_DATA_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'] as const;

/** Key actions that make every ciphertext under the key unreadable: only the break-glass role may call them. */
export const KEY_DESTRUCTIVE_ACTIONS = ['kms:DisableKey', 'kms:ScheduleKeyDeletion'] as const;

/**
 * The action that replaces a key policy: the break-glass role, and the stage's deploy role (under
 * which CloudFormation deploys, and which KMS's policy lockout safety check needs), may call it.
 */
export const KEY_POLICY_ACTIONS = ['kms:PutKeyPolicy'] as const;

/**
 * Alias changes that could point a stage alias at another key: `verify`, `restore` and people find
 * the stage's keys by alias. KMS authorizes them on the key the alias points at, so the key policy
 * can refuse them; the break-glass role and the deploy role (aliases are the stack's) may.
 */
export const KEY_ALIAS_ACTIONS = ['kms:DeleteAlias', 'kms:UpdateAlias'] as const;

/**
 * Revoking a grant: DynamoDB's grants on the table key are how the tables read their data, so a
 * revoked one makes a table unreadable. Only the break-glass role may; AWS services retire their
 * own grants with RetireGrant.
 */
export const KEY_GRANT_REVOCATION_ACTIONS = ['kms:RevokeGrant'] as const;

/**
 * Role changes that alter who may assume a role or what it may do, or put another role in its
 * place under its name (which the token key's policy would name just the same).
 */
export const ROLE_CHANGE_ACTIONS = [
  'iam:AttachRolePolicy',
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:DeleteRolePermissionsBoundary',
  'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateRole',
] as const;

/**
 * Backup vault actions that lose recovery points or lift their protection: only the break-glass role
 * may call them. `DeleteBackupVaultLockConfiguration` lifts a governance-mode lock.
 */
export const VAULT_DESTRUCTIVE_ACTIONS = [
  'backup:DeleteBackupVault',
  'backup:DeleteBackupVaultLockConfiguration',
  'backup:DeleteRecoveryPoint',
  'backup:UpdateRecoveryPointLifecycle',
] as const;

/** Backup vault actions that replace its access policy or lock: the break-glass role and the deploy role. */
export const VAULT_POLICY_ACTIONS = [
  'backup:DeleteBackupVaultAccessPolicy',
  'backup:PutBackupVaultAccessPolicy',
  'backup:PutBackupVaultLockConfiguration',
] as const;
