import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnTemplate } from '../../infra/policy/cfn-template';
import { main as local } from '../local/main';
import { runChild } from './child-process';
import type { Rehearsal } from './report';

const ROOT = join(import.meta.dirname, '..', '..');
/** The longest one example may take: the CLI starts in about a second; v1 retries a refused connection for about 30 s. */
const EXAMPLE_TIMEOUT_MS = 60_000;

/** An AWS CLI command of README.md or docs/ for the local engine, where it stands. */
export interface CliExample {
  /** Repository-relative Markdown file. */
  readonly file: string;
  /** Line of the command's first line in the file. */
  readonly line: number;
  /** The command, its continuation lines joined. */
  readonly command: string;
}

/**
 * Every `aws` command in a `sh` block of README.md and docs/*.md that names an endpoint: the
 * examples for the local engine (the others, such as the restore runbook's, address AWS itself).
 */
export function localEngineCliExamples(): CliExample[] {
  const files = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
  return files.flatMap((file) => {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    const examples: CliExample[] = [];
    let inShell = false;
    for (let index = 0; index < lines.length; index += 1) {
      const text = lines[index]!;
      if (/^```/.test(text)) {
        inShell = !inShell && text === '```sh';
        continue;
      }
      if (!inShell || !text.startsWith('aws ')) continue;
      const start = index;
      let command = text;
      // A line goes on after a backslash, or inside a quoted argument (the examples quote JSON in single quotes).
      for (;;) {
        const quoted = (command.match(/'/g) ?? []).length % 2 === 1;
        if (quoted && index + 1 < lines.length) command = `${command}\n${lines[++index]!}`;
        else if (command.endsWith('\\') && index + 1 < lines.length) command = `${command.slice(0, -1).trimEnd()} ${lines[++index]!.trim()}`;
        else break;
      }
      if (command.includes('--endpoint-url')) examples.push({ file, line: start + 1, command });
    }
    return examples;
  });
}

/** The names of the variables a shell command expands (`$NAME`, `"$NAME"`, `${NAME}`). */
export function expandedVariables(command: string): string[] {
  // Single-quoted text is not expanded; the examples quote their JSON that way.
  const unquoted = command.replace(/'[^']*'/g, '');
  return [...unquoted.matchAll(/\$\{?([A-Za-z_]\w*)/g)].map(([, name]) => name!);
}

/**
 * Starts `npm run local -- --keep --port 0` in process (the port is whatever is free, as the README
 * suggests on a busy machine) and runs every AWS CLI example of the docs in a shell that has
 * exactly the settings it prints, and no AWS configuration of this machine: each must exit 0 and
 * read at least one item of the demo data.
 */
export async function rehearseDocsCliExamples(rehearsal: Rehearsal, devTemplate: CfnTemplate): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'docs-cli-'));
  let stop!: (reason: string) => void;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  const printed: string[] = [];
  const print = (line: string) => {
    printed.push(line);
    if (line === 'Press Ctrl-C to stop.') ready();
  };
  const running = local(['--keep', '--port', '0'], { print, loadTemplate: async () => devTemplate, untilStopped: () => stopped });
  try {
    const outcome = await Promise.race([
      started.then(() => 'ready'),
      running.then((code) => `it exited with ${code}`, (error: unknown) => (error instanceof Error ? error.message : String(error))),
    ]);
    const settings: Record<string, string> = {};
    for (const line of printed) {
      const match = /^ {2}export (\w+)=(.*)$/.exec(line);
      if (match) settings[match[1]!] = match[2]!;
    }
    if (!rehearsal.check(`npm run local -- --keep --port 0 printed its settings (${Object.keys(settings).join(', ')})`, outcome === 'ready', outcome)) return;
    const env = {
      PATH: process.env.PATH,
      // Nothing of this machine's AWS configuration: a profile's endpoint or region would hide a missing setting.
      AWS_CONFIG_FILE: join(scratch, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'credentials'),
      AWS_PAGER: '',
      ...settings,
    };
    for (const { file, line, command } of localEngineCliExamples()) {
      const { code, stdout, stderr, stopped: why } = await runChild('sh', ['-c', command], { timeoutMs: EXAMPLE_TIMEOUT_MS, env });
      let items = 0;
      try {
        const answer = JSON.parse(stdout) as { Item?: object; Items?: object[] };
        items = answer.Items?.length ?? (answer.Item ? 1 : 0);
      } catch {
        // Reported below with the exit code.
      }
      rehearsal.check(
        `${file}:${line} ${command.split(' ').slice(0, 5).join(' ')}: exit 0, items read`,
        code === 0 && items > 0,
        why ?? `exit ${code}, ${items} items: ${stderr.trim().split('\n').at(-1) ?? ''}`,
      );
    }
  } finally {
    stop('rehearsed');
    await running.catch(() => 0);
    rmSync(scratch, { recursive: true, force: true });
  }
}
