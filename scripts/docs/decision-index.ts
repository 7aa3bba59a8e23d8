import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../infra/data/config-error';
import { fileError, readTextFile } from '../shared/files';
import { codeBlock, markdownTable } from '../shared/markdown';

/** The folder of the decision records, and of the index rendered from them. */
export const DECISIONS_DIR = join(import.meta.dirname, '..', '..', 'docs', 'decisions');
/** The index's file name in that folder; every other Markdown file there is a record. */
export const DECISION_INDEX = 'README.md';
/** How problems name a record: by its path in the repository. */
const SHOWN_DIR = 'docs/decisions';

/** A record's file as read: its name in the folder and its text. */
export interface RecordFile {
  readonly name: string;
  readonly text: string;
}

/**
 * What a status clause says of another record. The earlier record says it is `superseded by` (or
 * `amended by`) the later one; the later one answers that it `supersedes` (or `amends`) it.
 */
type Relation = 'superseded by' | 'amended by' | 'supersedes' | 'amends';
const ANSWER: Record<Relation, Relation> = { 'superseded by': 'supersedes', 'amended by': 'amends', supersedes: 'superseded by', amends: 'amended by' };
/** The clauses of a status, in the order they are written: the record's state first, then what it replaces. */
const CLAUSES = ['accepted', 'superseded by', 'amended by', 'supersedes', 'amends'] as const;

export interface DecisionRecord {
  readonly number: number;
  readonly file: string;
  readonly title: string;
  /** The status as written, its links included. */
  readonly status: string;
  readonly date: string;
  readonly relations: readonly { readonly kind: Relation; readonly number: number; readonly file: string }[];
}

const RECORD_NAME = /^(\d{4})-[a-z0-9]+(?:-[a-z0-9]+)*\.md$/;
const STATUS_FORM =
  'accepted, `superseded by [NNNN](NNNN-….md)` or `amended by [NNNN](NNNN-….md), …`, then `; supersedes …` or `; amends …` for the records it replaces or changes';

const pad = (number: number) => String(number).padStart(4, '0');

/** Reads every record of `dir` (each `.md` file but the index); other files are not records. */
export function readRecordFiles(dir: string = DECISIONS_DIR): RecordFile[] {
  let names;
  try {
    names = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw fileError('read', dir, error);
  }
  return names
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md') && entry.name !== DECISION_INDEX)
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ name, text: readTextFile(join(dir, name)) }));
}

/** A status read clause by clause, or the reason it cannot be. */
function parseStatus(status: string, number: number): { relations: DecisionRecord['relations'] } | { problem: string } {
  const relations: { kind: Relation; number: number; file: string }[] = [];
  let last = -1;
  for (const clause of status.split('; ')) {
    const kind = CLAUSES.find((name) => (name === 'accepted' ? clause === name : clause.startsWith(`${name} `)));
    const order = kind === undefined ? -1 : CLAUSES.indexOf(kind);
    if (kind === undefined || order <= last || (last === -1 && order > 2) || (last === 0 && order <= 2)) {
      return { problem: `its status "${status}" is not of the form: ${STATUS_FORM}.` };
    }
    last = order;
    if (kind === 'accepted') continue;
    const links = clause.slice(kind.length + 1).split(', ');
    if (kind === 'superseded by' && links.length > 1) return { problem: `it is superseded by ${links.length} records; name the one that replaced it.` };
    for (const link of links) {
      const match = /^\[(\d{4})\]\((\d{4}-[^)\s]+\.md)\)$/.exec(link);
      if (!match) return { problem: `"${link}" in its status is not a link to a record, \`[NNNN](NNNN-title.md)\`.` };
      if (!match[2]!.startsWith(`${match[1]}-`)) return { problem: `the link "${link}" in its status names ${match[1]} but leads to ${match[2]}.` };
      if (Number(match[1]) === number) return { problem: `its status links to itself.` };
      relations.push({ kind, number: Number(match[1]), file: match[2]! });
    }
  }
  return { relations };
}

/** What the links are checked on: the record's number and file and its status's relations. */
type Linked = Pick<DecisionRecord, 'number' | 'file' | 'relations'>;

/**
 * One file read: the problems of its name and header, its links when its status could be read (so
 * they are checked even while its date is wrong), and the record when nothing is wrong.
 */
function parseRecord(file: RecordFile, today: string): { problems: string[]; linked?: Linked; record?: DecisionRecord } {
  const where = `${SHOWN_DIR}/${file.name}`;
  const name = RECORD_NAME.exec(file.name);
  if (!name) return { problems: [`${where} is not a record's name: NNNN-title-in-kebab-case.md, NNNN the next number.`] };
  const number = Number(name[1]);
  // A checkout may give the file Windows line ends or a byte order mark.
  const [heading, blank, statusLine, dateLine, afterHeader, ...body] = file.text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const problems: string[] = [];
  const title = new RegExp(`^# ${name[1]}\\. (\\S.*)$`).exec(heading ?? '')?.[1];
  if (title === undefined) problems.push(`${where} must start with "# ${name[1]}. <title>", the number of its file name.`);
  const status = /^- Status: (.+)$/.exec(statusLine ?? '')?.[1];
  const date = /^- Date: (\d{4}-\d{2}-\d{2})$/.exec(dateLine ?? '')?.[1];
  const headerWellFormed = blank === '' && status !== undefined && date !== undefined && afterHeader === '';
  if (!headerWellFormed) problems.push(`${where}: the title must be followed by a blank line, "- Status: <status>", "- Date: YYYY-MM-DD" and a blank line.`);
  const parsed = status === undefined ? undefined : parseStatus(status, number);
  if (parsed && 'problem' in parsed) problems.push(`${where}: ${parsed.problem}`);
  const day = date === undefined ? undefined : new Date(`${date}T00:00:00Z`);
  if (day && (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== date)) problems.push(`${where}: ${date} is not a date.`);
  else if (date !== undefined && date > today) problems.push(`${where}: its date ${date} is later than today (${today}); write the day the decision was made.`);
  if (headerWellFormed && !body.some((line) => line.trim() !== '')) problems.push(`${where} has no text after its header: say what was decided and why.`);
  if (!parsed || 'problem' in parsed) return { problems };
  const linked = { number, file: file.name, relations: parsed.relations };
  if (problems.length > 0) return { problems, linked };
  return { problems, linked, record: { ...linked, title: title!, status: status!, date: date! } };
}

/**
 * The records of the files given, and every problem with them: a malformed name or header, a
 * number repeated or skipped (they run from 0001), a status link to no record, and a relation not
 * answered from the other side (a record superseded or amended names the later record, and that
 * record names it back).
 */
export function checkDecisionRecords(files: readonly RecordFile[], now: Date = new Date()): { records: DecisionRecord[]; problems: string[] } {
  // A day's grace: a record written where the day has already begun is not refused.
  const today = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
  const parsed = files.map((file) => parseRecord(file, today));
  const problems = parsed.flatMap((result) => result.problems);
  const records = parsed.flatMap((result) => (result.record ? [result.record] : [])).sort((a, b) => a.number - b.number);
  const linked = parsed.flatMap((result) => (result.linked ? [result.linked] : [])).sort((a, b) => a.number - b.number);
  const numbered = new Map<number, string[]>();
  for (const file of files) {
    const number = RECORD_NAME.exec(file.name)?.[1];
    if (number !== undefined) numbered.set(Number(number), [...(numbered.get(Number(number)) ?? []), file.name]);
  }
  for (const [number, names] of numbered) {
    if (names.length > 1) problems.push(`${pad(number)} is the number of ${names.length} records (${names.sort().join(', ')}): give each its own.`);
  }
  if (numbered.has(0)) problems.push(`${numbered.get(0)!.map((name) => `${SHOWN_DIR}/${name}`).join(', ')}: the numbers run from 0001.`);
  // Each gap once, as a range: a record numbered 9000 by mistake is one line, not thousands.
  const highest = Math.max(0, ...numbered.keys());
  for (let number = 1; number <= highest; number += 1) {
    if (numbered.has(number)) continue;
    let last = number;
    while (!numbered.has(last + 1)) last += 1;
    const missing = last === number ? `is no record ${pad(number)}` : `are no records ${pad(number)} to ${pad(last)}`;
    problems.push(`there ${missing}: the numbers run from 0001 without a gap.`);
    number = last;
  }
  const byFile = new Map(linked.map((record) => [record.file, record]));
  for (const record of linked) {
    const where = `${SHOWN_DIR}/${record.file}`;
    for (const relation of record.relations) {
      if (!files.some((file) => file.name === relation.file)) {
        problems.push(`${where}: its status links to ${relation.file}, which is not a record.`);
        continue;
      }
      const later = relation.kind === 'superseded by' || relation.kind === 'amended by';
      if (later !== relation.number > record.number) {
        problems.push(`${where}: its status says "${relation.kind} ${pad(relation.number)}", but a record is superseded or amended only by a later one.`);
      }
      const target = byFile.get(relation.file);
      if (target && !target.relations.some(({ kind, number }) => kind === ANSWER[relation.kind] && number === record.number)) {
        problems.push(
          `${where}: its status says "${relation.kind} ${pad(relation.number)}", but the status of ${SHOWN_DIR}/${target.file} ` +
            `does not answer "${ANSWER[relation.kind]} [${pad(record.number)}](${record.file})".`,
        );
      }
    }
  }
  return { records, problems };
}

/** The records of `dir`, checked; any problem stops the docs in one line each. */
export function loadDecisionRecords(dir: string = DECISIONS_DIR, now: Date = new Date()): DecisionRecord[] {
  const { records, problems } = checkDecisionRecords(readRecordFiles(dir), now);
  if (problems.length > 0) throw new ConfigError(problems);
  return records;
}

/** The whole `docs/decisions/README.md`: how to add a record, then every record with its status and date. */
export function renderDecisionIndex(records: readonly DecisionRecord[]): string {
  return [
    '# Decisions',
    '',
    '<!-- Generated by `npm run docs` from the records in docs/decisions/; do not edit by hand. -->',
    '',
    // Wrapped by hand: a line break inside inline code would show as a space.
    'Short records of the choices behind the data layer, and their reasons: one file per decision,',
    'numbered in the order the decisions were made. A new decision is a new file in this folder,',
    '`NNNN-title-in-kebab-case.md` with the next number, that starts with its title, its status and',
    'the day it was decided:',
    '',
    codeBlock('markdown', '# NNNN. Title\n\n- Status: accepted\n- Date: YYYY-MM-DD\n\nWhat was decided, and why.'),
    '',
    'A decision that replaces an earlier one adds `; supersedes [NNNN](NNNN-….md)` to its status',
    "(`; amends [NNNN](NNNN-….md)` when it changes part of it), and the earlier record's status becomes",
    "`superseded by [NNNN](NNNN-….md)` (or `amended by …`); the earlier record's text stays as it was.",
    '`npm run docs` rewrites this index; `npm test` fails until it is current, and while a header is',
    'malformed, a number is repeated or skipped, or a link is not answered from the other side.',
    '',
    markdownTable(
      ['number', 'decision', 'status', 'date'],
      records.map((record) => [pad(record.number), `[${record.title.replace(/[[\]]/g, '\\$&')}](${record.file})`, record.status, record.date]),
    ),
    '',
  ].join('\n');
}
