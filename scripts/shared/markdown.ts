/** A Markdown table; cells are escaped so a `|` in a description cannot break the row. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [markdownRow(header), markdownRow(header.map(() => '---')), ...rows.map(markdownRow)].join('\n');
}

/** One Markdown table row; a `|` is escaped and a line break folded, either of which would end the row. */
export function markdownRow(cells: readonly string[]): string {
  return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')).join(' | ')} |`;
}

/** Inline code. */
export function code(text: string): string {
  return `\`${text}\``;
}

/** A fenced code block. */
export function codeBlock(language: string, text: string): string {
  return `\`\`\`${language}\n${text}\n\`\`\``;
}

/** A whole number with thousands separators, e.g. `50,000`. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** A number rounded to at most `digits` decimals, with thousands separators. */
export function formatDecimal(value: number, digits = 1): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** Prose joined into one paragraph and wrapped at `width`, continuation lines indented by `indent`. */
export function paragraph(parts: readonly string[], indent = '', width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of parts.join(' ').split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join('\n');
}
