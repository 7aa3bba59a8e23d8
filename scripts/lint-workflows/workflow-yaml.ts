/** A value of a workflow file: a scalar (kept as written, as a string), a list or a mapping. */
export type YamlValue = string | YamlValue[] | YamlMap;
/** A mapping; {@link keyLine} and {@link keyComment} tell where each key was written. */
export type YamlMap = { [key: string]: YamlValue };

interface KeyInfo {
  readonly line: number;
  readonly comment: string | undefined;
}

const keyInfo = new WeakMap<YamlMap, Map<string, KeyInfo>>();

/** The 1-based line a mapping's key was written on. */
export function keyLine(map: YamlMap, key: string): number | undefined {
  return keyInfo.get(map)?.get(key)?.line;
}

/** The comment at the end of a key's line (`# v5.0.0` gives `v5.0.0`), if any. */
export function keyComment(map: YamlMap, key: string): string | undefined {
  return keyInfo.get(map)?.get(key)?.comment;
}

interface Line {
  readonly number: number;
  readonly indent: number;
  /** The text after the indentation, without a trailing comment. */
  readonly text: string;
  readonly comment: string | undefined;
  /** The line as written, for block scalars. */
  readonly raw: string;
}

/**
 * Reads the subset of YAML that GitHub workflows in this repository use: block mappings and lists,
 * plain and quoted scalars, flow lists of scalars (`[a, b]`), an empty flow mapping (`{}`) and block
 * scalars (`|`, `>`). Anchors, aliases, tags, other flow mappings and multi-line plain scalars stop
 * it with an error naming the line; actionlint, which parses full YAML, runs on the same files.
 * What it reads, it reads as YAML does (keys with blanks before the colon, escapes in double
 * quotes, CR line breaks, space-only indentation), so no spelling hides a key from the checks.
 * Scalars stay strings: the checks compare them as written.
 */
export function readYaml(text: string, file: string): YamlValue {
  // YAML 1.1 parsers break lines at NEL, LS and PS too, YAML 1.2 parsers do not: a file that has
  // them cannot be read the one way GitHub reads it.
  const ambiguous = /[\u0085\u2028\u2029]/.exec(text);
  if (ambiguous) throw new Error(`${file}:${text.slice(0, ambiguous.index).split(/\r\n|\r|\n/).length}: a NEL, LS or PS character is a line break to some YAML parsers and text to others`);
  const lines: Line[] = [];
  // A byte order mark is not content; CR alone ends a line, as CRLF and LF do.
  text.replace(/^\ufeff/, '').split(/\r\n|\r|\n/).forEach((raw, index) => {
    // Only spaces indent: a tab or any other character starts the content.
    const indent = /^ */.exec(raw)![0].length;
    const { content, comment } = splitComment(raw.slice(indent));
    lines.push({ number: index + 1, indent, text: content.replace(/[ \t]+$/, ''), comment, raw });
  });
  const reader = new Reader(lines, file);
  const value = reader.block(0);
  reader.expectEnd();
  return value ?? {};
}

class Reader {
  private readonly lines: Line[];
  private readonly file: string;
  private index = 0;

  constructor(lines: Line[], file: string) {
    this.lines = lines;
    this.file = file;
  }

  expectEnd(): void {
    const line = this.next();
    if (line) this.fail(line, 'unexpected indentation');
  }

  /** Reads the block starting at the next content line if it is indented at least `minIndent`. */
  block(minIndent: number): YamlValue | undefined {
    const first = this.next();
    if (!first || first.indent < minIndent) return undefined;
    if (first.text === '---' || first.text === '...') this.fail(first, 'multiple documents are not supported');
    return isListItem(first.text) ? this.list(first.indent) : this.mapping(first.indent);
  }

  private mapping(indent: number, firstEntry?: { line: Line; text: string }): YamlMap {
    const map: YamlMap = {};
    const info = new Map<string, KeyInfo>();
    keyInfo.set(map, info);
    let entry = firstEntry;
    for (;;) {
      if (!entry) {
        const line = this.next();
        if (!line || line.indent < indent) break;
        if (line.indent > indent || isListItem(line.text)) this.fail(line, 'unexpected indentation');
        this.index += 1;
        entry = { line, text: line.text };
      }
      const { line, text } = entry;
      // A key may be followed by spaces or tabs before its colon (`uses : x` is the key `uses`).
      const match = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s'"#][^:]*?)[ \t]*:(?:[ \t]+(.*))?$/.exec(text);
      if (!match) this.fail(line, `expected "key: value", found "${text}"`);
      const key = this.scalar(match[1], line);
      if (key in map) this.fail(line, `duplicate key "${key}"`);
      info.set(key, { line: line.number, comment: line.comment });
      map[key] = this.value(match[2], line, indent, true);
      entry = undefined;
    }
    return map;
  }

  private list(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    for (;;) {
      const line = this.next();
      if (!line || line.indent !== indent || !isListItem(line.text)) {
        if (line && line.indent > indent) this.fail(line, 'unexpected indentation');
        break;
      }
      this.index += 1;
      const rest = line.text.slice(1).replace(/^[ \t]+/, '');
      const itemIndent = line.indent + (line.text.length - rest.length);
      if (/^[^\s'"#[{|>][^:]*:([ \t]|$)|^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*')[ \t]*:([ \t]|$)/.test(rest)) {
        // `- key: value` opens a mapping whose later keys line up with the first.
        items.push(this.mapping(itemIndent, { line, text: rest }));
      } else {
        items.push(this.value(rest === '' ? undefined : rest, line, indent, false));
      }
    }
    return items;
  }

  /** The value after `key:` or `-`: inline, a nested block, or a block scalar. */
  private value(inline: string | undefined, line: Line, indent: number, inMapping: boolean): YamlValue {
    if (inline === undefined) {
      // A mapping's list may sit at the key's own indentation (`key:` then `- item`).
      const next = this.next();
      if (inMapping && next && next.indent === indent && isListItem(next.text)) return this.list(indent);
      return this.block(indent + 1) ?? '';
    }
    if (/^[|>][+-]?$/.test(inline)) return this.blockScalar(inline, indent);
    if (inline === '{}') return {};
    if (inline.startsWith('[')) return this.flowList(inline, line);
    const value = this.scalar(inline, line);
    const next = this.next();
    if (next && next.indent > indent && !(inMapping === false && isListItem(next.text))) {
      this.fail(next, 'multi-line plain scalars are not supported');
    }
    return value;
  }

  private blockScalar(header: string, indent: number): string {
    const body: string[] = [];
    let bodyIndent: number | undefined;
    while (this.index < this.lines.length) {
      const line = this.lines[this.index];
      if (line.raw.trim() !== '') {
        if (line.indent <= indent) break;
        bodyIndent ??= line.indent;
      }
      body.push(line.raw.slice(bodyIndent ?? line.raw.length));
      this.index += 1;
    }
    while (body.length > 0 && body[body.length - 1] === '') body.pop();
    const joined = header.startsWith('>') ? body.join(' ') : body.join('\n');
    return header.endsWith('-') ? joined : `${joined}\n`;
  }

  private flowList(text: string, line: Line): string[] {
    if (!text.endsWith(']')) this.fail(line, 'flow lists must close on their own line');
    const inner = text.slice(1, -1).trim();
    if (inner === '') return [];
    if (/[[\]{}]/.test(inner)) this.fail(line, 'nested flow collections are not supported');
    return inner.split(',').map((item) => this.scalar(item.trim(), line));
  }

  private scalar(text: string, line: Line): string {
    if (text.startsWith('"')) {
      if (!/^"(?:[^"\\]|\\.)*"$/.test(text)) this.fail(line, `unterminated string ${text}`);
      return text.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, escape: string) => {
        if (escape.length > 1) return String.fromCodePoint(parseInt(escape.slice(1), 16));
        const char = YAML_ESCAPES[escape];
        if (char === undefined) this.fail(line, `"\\${escape}" is not a YAML escape`);
        return char;
      });
    }
    if (text.startsWith("'")) {
      if (!/^'(?:[^']|'')*'$/.test(text)) this.fail(line, `unterminated string ${text}`);
      return text.slice(1, -1).replace(/''/g, "'");
    }
    if (/^[&*!{]/.test(text)) this.fail(line, `anchors, aliases, tags and flow mappings are not supported ("${text}")`);
    return text;
  }

  /** The next line with content, without consuming it. */
  private next(): Line | undefined {
    while (this.index < this.lines.length && this.lines[this.index].text === '') this.index += 1;
    return this.lines[this.index];
  }

  private fail(line: Line, message: string): never {
    throw new Error(`${this.file}:${line.number}: ${message}`);
  }
}

/** The escapes of a double-quoted YAML scalar (YAML 1.2, 5.7), besides `\\xXX`, `\\uXXXX` and `\\UXXXXXXXX`. */
const YAML_ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};

/** `-` followed by a space or a tab, or alone, starts a list item. */
function isListItem(text: string): boolean {
  return /^-([ \t]|$)/.test(text);
}

/** Splits a trailing comment off a line, outside quotes: `#` starts one at the line start or after a space. */
function splitComment(text: string): { content: string; comment: string | undefined } {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quote) {
      if (char === '\\' && quote === '"') i += 1;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      if (i === 0 || /[\s:[,-]/.test(text[i - 1])) quote = char;
    } else if (char === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      return { content: text.slice(0, i), comment: text.slice(i + 1).trim() };
    }
  }
  return { content: text, comment: undefined };
}
