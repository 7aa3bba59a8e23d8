/** The part of a synthesized CloudFormation template the project's tools read. */
export interface CfnTemplate {
  readonly Resources?: Readonly<Record<string, CfnResourceJson>>;
}

/** One resource of a template. */
export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** The DynamoDB table types a template may hold; `TableV2` synthesizes the global one. */
export const DYNAMODB_TABLE = 'AWS::DynamoDB::Table';
export const DYNAMODB_GLOBAL_TABLE = 'AWS::DynamoDB::GlobalTable';
export const DYNAMODB_TABLE_TYPES = [DYNAMODB_TABLE, DYNAMODB_GLOBAL_TABLE] as const;

/** The template's DynamoDB tables of either type, as `[logicalId, resource]` pairs. */
export function tableResources(template: CfnTemplate): Array<[string, CfnResourceJson]> {
  return Object.entries(template.Resources ?? {}).filter(([, resource]) =>
    (DYNAMODB_TABLE_TYPES as readonly string[]).includes(resource.Type),
  );
}
