import { CfnOutput, Fn, Stack, Tags, Token, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { AlarmTopic } from '../constructs/alarm-topic';
import { DataRoles } from '../constructs/data-roles';
import { DeployRole } from '../constructs/deploy-role';
import { SchemaTable } from '../constructs/schema-table';
import { SecurityAlarms } from '../constructs/security-alarms';
import { StageKey } from '../constructs/stage-key';
import { TableBackups } from '../constructs/table-backups';
import { TableMonitoring } from '../constructs/table-monitoring';
import { stackCustodians, type Custodians } from '../custodians';
import { DATA_ROLES, type DataRoleSpec } from '../../policy/data-roles';
import { TOKEN_CONTEXT_KEYS, TOKEN_KEY_ACTIONS, dataAccessGrant, groupedStatements, redactionGrant, type DataAccess, type GrantTarget, type TableGrant, type TokenAccessLevel } from '../../policy/table-access';
import { sealedAttributeNames, type TableSchema } from '../../data/schema-model';
import {
  DATA_ROLE_PURPOSES,
  dataExportName,
  dataRoleName,
  dataRoleOutputId,
  deployRoleName,
  physicalTableName,
  stageKeyAlias,
  stageKeyAliasPrefix,
  tableOutputIds,
  type DataRolePurpose,
  type StagePolicy,
} from '../../data/stages';

/** Props of {@link DataStack}. */
export interface DataStackProps extends StackProps {
  /** Name of the stage, carried in physical names and export names. */
  readonly stageName: string;
  /** The stage's data-protection policy. */
  readonly policy: StagePolicy;
  /** The tables to create, from the schema map. */
  readonly schemas: readonly TableSchema[];
}

/**
 * The data layer of one stage: its tables, their KMS keys (with policies that refuse everyone but
 * the break-glass role the means to disable or delete them, and the token key to every role it does
 * not name), the app's data-access roles, backups and alarms where the stage asks, and the outputs
 * other stacks import.
 */
export class DataStack extends Stack {
  /** Tables by logical name, for other stacks to reference. */
  public readonly tables: Readonly<Record<string, SchemaTable>>;
  /** Customer-managed key encrypting every table of the stage; usable only through DynamoDB. */
  public readonly encryptionKey: StageKey;
  /** Customer-managed key the client seals token attributes under (envelope encryption). */
  public readonly tokenKey: StageKey;
  /** Name of the stage the stack belongs to. */
  public readonly stageName: string;
  /** The stage's data-protection policy. */
  public readonly policy: StagePolicy;
  /** The schema-map entries the tables were made from. */
  public readonly schemas: readonly TableSchema[];
  /** ARN of the topic every alarm notifies; undefined where the stage policy sets no alarms. */
  public readonly alarmTopicArn?: string;
  /** AWS Backup vault, plan and selection of every table; absent where the stage has no backup rule. */
  public readonly backups?: TableBackups;
  /** The role of each process of the app, with its grants; the app's stacks import their ARNs. */
  public readonly dataRoles: Readonly<Record<DataRolePurpose, iam.Role>>;
  /** Who may still manage the keys and the vault: the break-glass role, and the deploy role for policies. */
  public readonly custodians: Custodians;
  /** The role the promotion pipeline deploys the stage under. */
  public readonly deployRole: iam.Role;
  /** The physical tables that hold sealed attributes, and those attributes' names. */
  private readonly sealed: { readonly tables: readonly string[]; readonly attributes: readonly string[] };
  /** `aws:PrincipalArn` of every role given the token grant; the token key denies data use to all others. */
  private readonly tokenUsers: string[] = [];
  /** Names of the roles given the token grant, whose IAM changes the role alarm watches. */
  private readonly tokenRoleNames: string[] = [];

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { stageName, policy } = props;
    this.stageName = stageName;
    this.policy = policy;
    this.schemas = props.schemas;
    const sealedTables = this.schemas.filter((schema) => sealedAttributeNames(schema).length > 0);
    this.sealed = {
      tables: sealedTables.map((schema) => physicalTableName(schema.name, stageName)),
      attributes: sealedTables.flatMap(sealedAttributeNames),
    };
    const custodians = stackCustodians(this, stageName, policy.access.breakGlassRole);
    this.custodians = custodians;
    this.deployRole = new DeployRole(this, 'Deploy', { stageName, deployFrom: policy.access.deployFrom }).role;

    this.encryptionKey = new StageKey(this, 'DataKey', {
      alias: stageKeyAlias(stageName),
      description: `Encrypts the Inavor Shuttle ${stageName} DynamoDB tables`,
      onlyThroughService: 'dynamodb',
      custodians,
    });
    // A key of its own: reading a Shops item (table key) must not be enough to open its tokens.
    const sealed = this.sealed;
    this.tokenKey = new StageKey(this, 'TokenKey', {
      alias: `${stageKeyAliasPrefix(stageName)}tokens`,
      description: `Seals the Inavor Shuttle ${stageName} Shopify tokens, attribute by attribute`,
      custodians,
      dataUsers: () => [custodians.breakGlass, ...this.tokenUsers],
      // The context the client binds every sealed value to: a ciphertext without it is refused to everyone.
      requiredContext: {
        [TOKEN_CONTEXT_KEYS.table]: sealed.tables,
        [TOKEN_CONTEXT_KEYS.shop]: [],
        [TOKEN_CONTEXT_KEYS.attribute]: sealed.attributes,
      },
    });

    const tables: Record<string, SchemaTable> = {};
    for (const schema of props.schemas) {
      tables[schema.name] = new SchemaTable(this, schema.name, {
        schema,
        stageName,
        policy,
        encryptionKey: this.encryptionKey,
      });
    }
    this.tables = tables;
    if (policy.backup.rules.length > 0) {
      this.backups = new TableBackups(this, 'Backups', {
        stageName,
        policy: policy.backup,
        tables: Object.values(tables).map(({ table }) => table),
        custodians,
      });
    }

    this.dataRoles = new DataRoles(this, 'DataRoles', { stageName, trust: policy.access.roleTrust }).roles;
    for (const purpose of DATA_ROLE_PURPOSES) {
      const spec: DataRoleSpec = DATA_ROLES[purpose];
      const role = this.dataRoles[purpose];
      if (spec.data) this.grantDataAccess(role, spec.data);
      if (spec.redaction) this.grantRedaction(role);
      if (spec.tokens) this.grantTokenAccess(role, spec.tokens);
    }

    if (policy.monitoring.alarms) {
      const { topic } = new AlarmTopic(this, 'Alarms', { stageName, custodians, notify: policy.monitoring.notify });
      new TableMonitoring(this, 'Monitoring', { stageName, schemas: props.schemas, topic });
      const tableList = Object.values(tables).map(({ table }) => table);
      new SecurityAlarms(this, 'SecurityAlarms', {
        stageName,
        policy,
        topic,
        targets: {
          breakGlassRoleArn: custodians.breakGlass,
          deployRoleArn: custodians.deployer,
          appDeployRoleArn: Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${policy.access.appDeployRole}`),
          keyAliasPrefix: stageKeyAliasPrefix(stageName),
          tables: [...tableList.map((table) => table.tableName), ...tableList.map((table) => table.tableArn)],
          backupVaultNames: this.backups ? this.backups.vaultNames : [],
          backupPlanId: this.backups?.plan.backupPlanId,
          tokenRoleArns: () => this.tokenUsers,
          watchedRoleNames: () => [
            ...new Set([...DATA_ROLE_PURPOSES.map((purpose) => dataRoleName(stageName, purpose)), ...this.tokenRoleNames, deployRoleName(stageName)]),
          ],
        },
      });
      this.alarmTopicArn = topic.topicArn;
    }

    for (const [key, value] of Object.entries(policy.tags)) {
      Tags.of(this).add(key, value);
    }
    this.addOutputs(stageName);
  }

  /**
   * Gives a role (App Runner instance role, Lambda execution role) exactly the tables it names,
   * each at its level, e.g. `{ Jobs: 'readWrite', ImportHistory: 'read' }`: the item actions on
   * the table, Query on its indexes, and the table key through DynamoDB only. Sealed attributes
   * stay ciphertext unless the role also has {@link grantTokenAccess}.
   */
  public grantDataAccess(grantee: iam.IGrantable, access: DataAccess): iam.Grant {
    return this.grantTables(grantee, dataAccessGrant(access, this.schemas));
  }

  /**
   * Gives a role what deleting one shop's data needs (Shopify's `shop/redact`): DeleteItem on
   * Shops, and Query on the index or table that lists a shop's items plus BatchWriteItem on the
   * others, as each table's `redaction` in the schema map says.
   */
  public grantRedaction(grantee: iam.IGrantable): iam.Grant {
    return this.grantTables(grantee, redactionGrant(this.schemas));
  }

  /**
   * Lets a role open (`decrypt`) or also seal (`encryptDecrypt`) token attributes with the token
   * key, and only for ciphertexts bound to a sealed attribute of this stage's tables and to a shop.
   * The role is also named in the token key's policy, which refuses data use to every role it does
   * not name. A role of another stack must have a fixed `roleName` (and no path): the policy names
   * it by an ARN built from that name, since referring to the role itself would make the two stacks
   * depend on each other.
   */
  public grantTokenAccess(grantee: iam.IGrantable, level: TokenAccessLevel): iam.Grant {
    const { tables, attributes } = this.sealed;
    if (tables.length === 0) throw new Error('No attribute of the schema map is sealed, so a token grant would open nothing.');
    const [principalArn, roleName] = this.tokenUser(grantee);
    if (!this.tokenUsers.includes(principalArn)) this.tokenUsers.push(principalArn);
    if (!this.tokenRoleNames.includes(roleName)) this.tokenRoleNames.push(roleName);
    const context = (key: string) => `kms:EncryptionContext:${key}`;
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [...TOKEN_KEY_ACTIONS[level]],
      resourceArns: [this.tokenKey.keyArn],
      conditions: {
        StringEquals: { [context(TOKEN_CONTEXT_KEYS.table)]: tables, [context(TOKEN_CONTEXT_KEYS.attribute)]: attributes },
        Null: { [context(TOKEN_CONTEXT_KEYS.shop)]: 'false' },
      },
    });
  }

  /**
   * The `aws:PrincipalArn` the token key's policy names a grantee by, and the role's name, which
   * the role alarm watches; throws for a role it cannot name.
   */
  private tokenUser(grantee: iam.IGrantable): [arn: string, name: string] {
    const principal = grantee.grantPrincipal;
    if (!('roleArn' in principal)) {
      throw new Error(`grantTokenAccess: ${principal.toString()} is not a role; the token key's policy names roles only.`);
    }
    const role = principal as iam.IRole;
    const resource = role.node.defaultChild;
    const name = resource instanceof iam.CfnRole && (resource.path ?? '/') === '/' ? resource.roleName : undefined;
    // An imported role: its literal ARN holds its name (after any path).
    if (!Token.isUnresolved(role.roleArn)) return [role.roleArn, role.roleArn.slice(role.roleArn.lastIndexOf('/') + 1)];
    if (name === undefined || Token.isUnresolved(name)) {
      const where = Stack.of(role) === this ? 'of this stack' : 'of another stack';
      throw new Error(
        `grantTokenAccess: ${role.node.path} is a role ${where} with a generated name or a path; give it a fixed roleName and no path so the token key's policy and the role alarm can name it.`,
      );
    }
    return [Stack.of(role) === this ? role.roleArn : Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${name}`), name];
  }

  private grantTables(grantee: iam.IGrantable, grant: TableGrant): iam.Grant {
    const arn = ({ table, index }: GrantTarget) => {
      const tableArn = this.tables[table]!.table.tableArn;
      return index === undefined ? tableArn : `${tableArn}/index/${index}`;
    };
    const statements = groupedStatements(grant).map(({ actions, targets }) =>
      iam.Grant.addToPrincipal({ grantee, actions, resourceArns: targets.map(arn) }),
    );
    const key = iam.Grant.addToPrincipal({
      grantee,
      actions: [...grant.tableKeyActions],
      resourceArns: [this.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${this.region}.amazonaws.com` } },
    });
    return statements.reduce((combined, next) => combined.combine(next), key);
  }

  private addOutputs(stageName: string): void {
    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description, exportName: dataExportName(stageName, id) });
    for (const { table, schema } of Object.values(this.tables)) {
      const [nameId, arnId] = tableOutputIds(schema.name);
      output(nameId, table.tableName, `Physical name of the ${stageName} ${schema.name} table`);
      output(arnId, table.tableArn, `ARN of the ${stageName} ${schema.name} table`);
    }
    output('DataKeyArn', this.encryptionKey.keyArn, `ARN of the KMS key encrypting the ${stageName} tables`);
    output('TokenKeyArn', this.tokenKey.keyArn, `ARN of the KMS key sealing the ${stageName} Shopify tokens`);
    output('DeployRoleArn', this.deployRole.roleArn, `ARN of the role the ${stageName} deploy job assumes (AWS_DEPLOY_ROLE_ARN of the ${stageName} environment)`);
    for (const purpose of DATA_ROLE_PURPOSES) {
      output(dataRoleOutputId(purpose), this.dataRoles[purpose].roleArn, `ARN of the ${stageName} ${purpose} role: ${DATA_ROLES[purpose].does}`);
    }
    if (this.alarmTopicArn) {
      output('AlarmTopicArn', this.alarmTopicArn, `ARN of the SNS topic the ${stageName} table alarms notify`);
    }
    if (this.backups) {
      output('BackupVaultName', this.backups.vault.backupVaultName, `AWS Backup vault of the ${stageName} tables`);
      output('BackupRoleArn', this.backups.role.roleArn, `Role AWS Backup uses to back up and restore the ${stageName} tables`);
    }
  }
}
