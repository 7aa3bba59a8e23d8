/** A Markdown table; cells are escaped so a `|` in a description cannot break the row. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [markdownRow(header), markdownRow(header.map(() => '---')), ...rows.map(markdownRow)].join('\n');
}

/** One Markdown table row; a `|` is escaped and a line break folded, either of which would end the row. */
export function markdownRow(cells: readonly string[]): string {
  return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')).join(' | ')} |`;
}

/** Inline code; a backtick inside is kept inside, by a longer run of them around it. */
export function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map(([run]) => run.length));
  if (longest === 0) return `\`${text}\``;
  const ticks = '`'.repeat(longest + 1);
  return `${ticks} ${text} ${ticks}`;
}

/** A fenced code block. */
export function codeBlock(language: string, text: string): string {
  return `\`\`\`${language}\n${text}\n\`\`\``;
}

/**
 * A fenced block for text from outside (a diff, a tool's output) that no line of it can close: its
 * tildes outnumber the longest run of tildes that opens any line, which would end a shorter fence.
 */
export function fencedText(text: string): string[] {
  const longest = Math.max(2, ...[...text.matchAll(/^ {0,3}(~+)/gm)].map(([, run]) => run!.length));
  const fence = '~'.repeat(longest + 1);
  return [`${fence}text`, text, fence];
}

/**
 * Markdown cut at a line boundary so that it takes at most `maxBytes` in UTF-8, with `note` as its
 * last line when anything was cut. For Markdown whose blocks are single lines and tables, which a
 * cut between lines leaves whole.
 */
export function cutToBytes(markdown: string, maxBytes: number, note: string): string {
  if (Buffer.byteLength(markdown) <= maxBytes) return markdown;
  const room = maxBytes - Buffer.byteLength(`\n${note}\n`);
  const kept: string[] = [];
  let used = 0;
  for (const line of markdown.split('\n')) {
    const size = Buffer.byteLength(line) + 1;
    if (used + size > room) break;
    kept.push(line);
    used += size;
  }
  return room < 0 ? '' : `${kept.join('\n')}\n\n${note}\n`;
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
