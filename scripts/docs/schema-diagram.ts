import type { KeyAttribute, TableSchema } from '../../infra/data/schema-model';

function nodeId(...parts: string[]): string {
  return parts.join('_').replace(/[^A-Za-z0-9_]/g, '_');
}

function keyLabel(role: 'PK' | 'SK', key: KeyAttribute | undefined): string[] {
  return key ? [`${role} ${key.name} (${key.type})`] : [];
}

/**
 * A Mermaid flowchart of the tables, their keys and indexes, and which access pattern reads
 * through which; GitHub renders it in place.
 */
export function schemaDiagram(schemas: readonly TableSchema[]): string {
  const lines = ['flowchart LR', '  subgraph patterns [Access patterns]'];
  for (const schema of schemas) {
    for (const pattern of schema.accessPatterns) lines.push(`    ${nodeId('pattern', pattern.name)}(["${pattern.name}"])`);
  }
  lines.push('  end');
  for (const schema of schemas) {
    const table = nodeId(schema.name, 'table');
    const tableLabel = [
      `<b>${schema.name}</b>`,
      ...keyLabel('PK', schema.partitionKey),
      ...keyLabel('SK', schema.sortKey),
      ...(schema.ttl ? [`TTL ${schema.ttl.attribute}, ${schema.ttl.retentionDays} days`] : []),
    ];
    lines.push(`  subgraph ${nodeId(schema.name, 'group')} [${schema.name}]`, `    ${table}[("${tableLabel.join('<br/>')}")]`);
    for (const index of schema.indexes) {
      const indexLabel = [`<b>${index.name}</b>`, ...keyLabel('PK', index.partitionKey), ...keyLabel('SK', index.sortKey)];
      lines.push(`    ${nodeId(schema.name, index.name)}[["${indexLabel.join('<br/>')}"]]`);
    }
    lines.push('  end');
    for (const index of schema.indexes) {
      lines.push(`  ${table} -.->|projects ${index.projection.type}| ${nodeId(schema.name, index.name)}`);
    }
  }
  for (const schema of schemas) {
    for (const pattern of schema.accessPatterns) {
      const target = pattern.index === undefined ? nodeId(schema.name, 'table') : nodeId(schema.name, pattern.index);
      lines.push(`  ${nodeId('pattern', pattern.name)} -->|${pattern.operation}| ${target}`);
    }
  }
  return lines.join('\n');
}
