import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../infra/data/config-error';
import {
  DECISIONS_DIR,
  DECISION_INDEX,
  checkDecisionRecords,
  loadDecisionRecords,
  readRecordFiles,
  renderDecisionIndex,
  type RecordFile,
} from '../../../scripts/docs/decision-index';

const NOW = new Date('2026-12-08T12:00:00Z');

test('docs/decisions/README.md is what `npm run docs` renders from the records now', () => {
  if (renderDecisionIndex(loadDecisionRecords()) !== readFileSync(join(DECISIONS_DIR, DECISION_INDEX), 'utf8')) {
    throw new Error('docs/decisions/README.md is stale: run `npm run docs`');
  }
});

test('every record has a well-formed header, the numbers run from 0001 without gap or repeat, and every supersede and amend is answered', () => {
  const files = readRecordFiles();
  const { records, problems } = checkDecisionRecords(files);
  expect(problems).toEqual([]);
  expect(records.map((record) => record.number)).toEqual(files.map((_, index) => index + 1));
  expect(records.length).toBeGreaterThanOrEqual(92);
  // The relations written when the single file was split, from both sides.
  const bench = records.find((record) => record.number === 48)!;
  expect(bench.relations).toEqual([{ kind: 'superseded by', number: 61, file: '0061-bench-paired-rounds-ratios-with-their-spread.md' }]);
  expect(records.find((record) => record.number === 61)!.relations).toEqual([{ kind: 'supersedes', number: 48, file: bench.file }]);
});

test('the index names every record with its status and date, and says how to add one', () => {
  const index = readFileSync(join(DECISIONS_DIR, DECISION_INDEX), 'utf8');
  expect(index).toContain('| 0001 | [Sessions: Prisma keeps their fields, the Shops table the offline tokens](0001-sessions-prisma-keeps-their-fields-the-shops-table.md) | accepted | 2026-11-26 |');
  expect(index).toContain('| 0048 | [Bench: the client costs nothing measurable over hand-written requests](0048-bench-the-client-costs-nothing-measurable-over-hand.md) | superseded by [0061](0061-bench-paired-rounds-ratios-with-their-spread.md) | 2026-11-28 |');
  expect(index).toContain('`npm run docs` rewrites this index');
  expect(index).toContain('next number');
});

/** A record as the folder holds it. */
function record(number: number, status: string, { date = '2026-12-07', body = 'Why, in a sentence.' } = {}): RecordFile {
  const id = String(number).padStart(4, '0');
  return { name: `${id}-decision-${number}.md`, text: `# ${id}. Decision ${number}\n\n- Status: ${status}\n- Date: ${date}\n\n${body}\n` };
}

/** Three records: 0002 superseded by 0003, 0001 amended by 0003. */
const VALID = [
  record(1, 'amended by [0003](0003-decision-3.md)'),
  record(2, 'superseded by [0003](0003-decision-3.md)'),
  record(3, 'accepted; supersedes [0002](0002-decision-2.md); amends [0001](0001-decision-1.md)'),
];
const replace = (number: number, file: RecordFile) => VALID.map((each, index) => (index + 1 === number ? file : each));
const problemsOf = (files: readonly RecordFile[]) => checkDecisionRecords(files, NOW).problems;

test('three records that link each other both ways have no problem, also with Windows line ends and a byte order mark', () => {
  expect(problemsOf(VALID)).toEqual([]);
  expect(problemsOf(VALID.map(({ name, text }) => ({ name, text: `\uFEFF${text.replace(/\n/g, '\r\n')}` })))).toEqual([]);
  expect(checkDecisionRecords(VALID, NOW).records.map(({ number, date }) => [number, date])).toEqual([
    [1, '2026-12-07'],
    [2, '2026-12-07'],
    [3, '2026-12-07'],
  ]);
});

describe('a broken record is one line naming the file and what is wrong', () => {
  const header = 'the title must be followed by a blank line, "- Status: <status>", "- Date: YYYY-MM-DD" and a blank line.';
  const form =
    'is not of the form: accepted, `superseded by [NNNN](NNNN-….md)` or `amended by [NNNN](NNNN-….md), …`, then `; supersedes …` or `; amends …` for the records it replaces or changes.';
  test.each<[string, RecordFile[], string[]]>([
    ['a file name without its number', [...VALID, { name: '4-decision.md', text: '# 4. Decision\n' }], ["docs/decisions/4-decision.md is not a record's name: NNNN-title-in-kebab-case.md, NNNN the next number."]],
    [
      'a title with another number than the file name',
      replace(1, { name: '0001-decision-1.md', text: VALID[0]!.text.replace('# 0001.', '# 0004.') }),
      ['docs/decisions/0001-decision-1.md must start with "# 0001. <title>", the number of its file name.'],
    ],
    ['no status line', replace(1, { name: '0001-decision-1.md', text: VALID[0]!.text.replace(/- Status: .*\n/, '') }), [`docs/decisions/0001-decision-1.md: ${header}`]],
    ['no blank line after the header', replace(3, { name: '0003-decision-3.md', text: VALID[2]!.text.replace('2026-12-07\n\n', '2026-12-07\n') }), [`docs/decisions/0003-decision-3.md: ${header}`]],
    ['a status of its own words', replace(3, record(3, 'proposed')), [`docs/decisions/0003-decision-3.md: its status "proposed" ${form}`]],
    [
      'accepted and superseded at once',
      replace(2, record(2, 'accepted; superseded by [0003](0003-decision-3.md)')),
      [`docs/decisions/0002-decision-2.md: its status "accepted; superseded by [0003](0003-decision-3.md)" ${form}`],
    ],
    ['"accepted" with words after it', replace(3, record(3, 'accepted by all; supersedes [0002](0002-decision-2.md); amends [0001](0001-decision-1.md)')), [expect.stringContaining('its status "accepted by all;')]],
    [
      'superseded by two records',
      [...replace(2, record(2, 'superseded by [0003](0003-decision-3.md), [0004](0004-decision-4.md)')), record(4, 'accepted; supersedes [0002](0002-decision-2.md)')],
      ['docs/decisions/0002-decision-2.md: it is superseded by 2 records; name the one that replaced it.'],
    ],
    ['a status link that is not a link', replace(2, record(2, 'superseded by 0003')), ['docs/decisions/0002-decision-2.md: "0003" in its status is not a link to a record, `[NNNN](NNNN-title.md)`.']],
    [
      'a link whose text and target disagree',
      replace(2, record(2, 'superseded by [0003](0001-decision-1.md)')),
      ['docs/decisions/0002-decision-2.md: the link "[0003](0001-decision-1.md)" in its status names 0003 but leads to 0001-decision-1.md.'],
    ],
    ['a link to itself', replace(2, record(2, 'superseded by [0002](0002-decision-2.md)')), ['docs/decisions/0002-decision-2.md: its status links to itself.']],
    ['a date that is no day', replace(1, record(1, 'amended by [0003](0003-decision-3.md)', { date: '2026-02-30' })), ['docs/decisions/0001-decision-1.md: 2026-02-30 is not a date.']],
    ['a month that is no month', replace(1, record(1, 'amended by [0003](0003-decision-3.md)', { date: '2026-13-01' })), ['docs/decisions/0001-decision-1.md: 2026-13-01 is not a date.']],
    [
      'a date in the future',
      replace(1, record(1, 'amended by [0003](0003-decision-3.md)', { date: '2062-12-07' })),
      ['docs/decisions/0001-decision-1.md: its date 2062-12-07 is later than today (2026-12-09); write the day the decision was made.'],
    ],
    ['a date written another way', replace(1, record(1, 'amended by [0003](0003-decision-3.md)', { date: '7 Dec 2026' })), [`docs/decisions/0001-decision-1.md: ${header}`]],
    ['nothing after the header', replace(1, record(1, 'amended by [0003](0003-decision-3.md)', { body: '  ' })), ['docs/decisions/0001-decision-1.md has no text after its header: say what was decided and why.']],
    [
      'two records with one number',
      [...VALID, { ...record(3, 'accepted'), name: '0003-another.md' }],
      ['0003 is the number of 2 records (0003-another.md, 0003-decision-3.md): give each its own.'],
    ],
    [
      'a number skipped',
      [...VALID, record(5, 'accepted')],
      ['there is no record 0004: the numbers run from 0001 without a gap.'],
    ],
    [
      'numbers skipped up to a record numbered far ahead, as one range',
      [...VALID, record(9000, 'accepted')],
      ['there are no records 0004 to 8999: the numbers run from 0001 without a gap.'],
    ],
    ['a record numbered 0000', [record(0, 'accepted'), ...VALID], ['docs/decisions/0000-decision-0.md: the numbers run from 0001.']],
    [
      'a link to a record that does not exist',
      replace(2, record(2, 'superseded by [0009](0009-decision-9.md)')),
      [
        'docs/decisions/0002-decision-2.md: its status links to 0009-decision-9.md, which is not a record.',
        'docs/decisions/0003-decision-3.md: its status says "supersedes 0002", but the status of docs/decisions/0002-decision-2.md does not answer "superseded by [0003](0003-decision-3.md)".',
      ],
    ],
    [
      'a superseded record the later one does not answer',
      replace(3, record(3, 'accepted; amends [0001](0001-decision-1.md)')),
      ['docs/decisions/0002-decision-2.md: its status says "superseded by 0003", but the status of docs/decisions/0003-decision-3.md does not answer "supersedes [0002](0002-decision-2.md)".'],
    ],
    [
      'an unanswered link beside a wrong date, reported together',
      replace(3, record(3, 'accepted; amends [0001](0001-decision-1.md)', { date: '2026-02-30' })),
      [
        'docs/decisions/0003-decision-3.md: 2026-02-30 is not a date.',
        'docs/decisions/0002-decision-2.md: its status says "superseded by 0003", but the status of docs/decisions/0003-decision-3.md does not answer "supersedes [0002](0002-decision-2.md)".',
      ],
    ],
    [
      'an amendment the earlier record does not answer',
      replace(1, record(1, 'accepted')),
      ['docs/decisions/0003-decision-3.md: its status says "amends 0001", but the status of docs/decisions/0001-decision-1.md does not answer "amended by [0003](0003-decision-3.md)".'],
    ],
    [
      'an answer of the wrong kind',
      replace(1, record(1, 'superseded by [0003](0003-decision-3.md)')),
      [
        'docs/decisions/0001-decision-1.md: its status says "superseded by 0003", but the status of docs/decisions/0003-decision-3.md does not answer "supersedes [0001](0001-decision-1.md)".',
        'docs/decisions/0003-decision-3.md: its status says "amends 0001", but the status of docs/decisions/0001-decision-1.md does not answer "amended by [0003](0003-decision-3.md)".',
      ],
    ],
    [
      'a record superseded by an earlier one',
      [record(1, 'accepted; supersedes [0002](0002-decision-2.md)'), record(2, 'superseded by [0001](0001-decision-1.md)')],
      [
        'docs/decisions/0001-decision-1.md: its status says "supersedes 0002", but a record is superseded or amended only by a later one.',
        'docs/decisions/0002-decision-2.md: its status says "superseded by 0001", but a record is superseded or amended only by a later one.',
      ],
    ],
  ])('%s', (_, files, expected) => {
    expect(problemsOf(files)).toEqual(expected);
  });
});

test('`npm run docs` stops on a broken record with every problem, and reads nothing but Markdown as a record', () => {
  const dir = mkdtempSync(join(tmpdir(), 'decisions-'));
  try {
    for (const file of [...VALID.slice(0, 2), record(3, 'accepted')]) writeFileSync(join(dir, file.name), file.text);
    writeFileSync(join(dir, DECISION_INDEX), '# Decisions\n');
    writeFileSync(join(dir, 'notes.tsv'), 'not a record\n');
    let thrown: unknown;
    try {
      loadDecisionRecords(dir, NOW);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems).toEqual([
      'docs/decisions/0001-decision-1.md: its status says "amended by 0003", but the status of docs/decisions/0003-decision-3.md does not answer "amends [0001](0001-decision-1.md)".',
      'docs/decisions/0002-decision-2.md: its status says "superseded by 0003", but the status of docs/decisions/0003-decision-3.md does not answer "supersedes [0002](0002-decision-2.md)".',
    ]);
    writeFileSync(join(dir, VALID[2]!.name), VALID[2]!.text);
    expect(renderDecisionIndex(loadDecisionRecords(dir, NOW))).toContain(
      '| 0003 | [Decision 3](0003-decision-3.md) | accepted; supersedes [0002](0002-decision-2.md); amends [0001](0001-decision-1.md) | 2026-12-07 |',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a folder that cannot be read is one line naming it', () => {
  expect(() => readRecordFiles('/proc/nope/decisions')).toThrow(ConfigError);
  expect(() => readRecordFiles('/proc/nope/decisions')).toThrow(/^cannot read \/proc\/nope\/decisions: ENOENT: no such file or directory\.$/);
});
