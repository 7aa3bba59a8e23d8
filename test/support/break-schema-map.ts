// Loaded before the real app entry by test/infra/app.test.ts: edits the schema map in
// memory the way a careless change to infra/data/schemas.ts would, so the test sees what `cdk synth` shows.
import { TABLE_SCHEMAS } from '../../infra/data/schemas';

interface EditableTable {
  name: string;
  indexes: Array<{ partitionKey: { type: string } }>;
  ttl?: { retentionDays: number };
}

const tables = TABLE_SCHEMAS as unknown as EditableTable[];
const table = (name: string) => tables.find((candidate) => candidate.name === name)!;
table('Jobs').indexes[1]!.partitionKey.type = 'X';
table('ImportHistory').ttl!.retentionDays = 0;
