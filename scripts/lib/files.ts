import { appendFileSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../../infra/stage-selection';

/** A file operation that failed, as one line naming the path: `cannot write x.sarif: EACCES: permission denied`. */
export function fileError(action: string, path: string, error: unknown): ConfigError {
  // Node appends the syscall and the path (", open '/x/y'"), which may be a temp file's; the path is named first.
  const reason = (error as Error).message.replace(/, \w+( '.*')?$/, '');
  return new ConfigError([`cannot ${action} ${path}: ${reason}.`]);
}

/** Reads a text file, or fails in one line naming it. */
export function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw fileError('read', path, error);
  }
}

/** Appends to a file, or fails in one line naming it. */
export function appendTextFile(path: string, text: string): void {
  try {
    appendFileSync(path, text);
  } catch (error) {
    throw fileError('append to', path, error);
  }
}

/**
 * Writes every file whole or none of them: each text goes to a temp file beside its target, and
 * only when all are written are they renamed into place. Folders are not created: a missing parent
 * is an error naming it (Node's recursive mkdir never returns for some paths, such as under /proc).
 */
export function writeFilesAtomically(files: ReadonlyArray<{ readonly path: string; readonly text: string }>): void {
  for (const { path } of files) {
    const parent = dirname(path);
    let isFolder;
    try {
      isFolder = statSync(parent).isDirectory();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError('write', path, error);
      isFolder = false;
    }
    if (!isFolder) throw new ConfigError([`cannot write ${path}: ${parent} is not an existing folder.`]);
  }
  const temps: string[] = [];
  try {
    for (const { path, text } of files) {
      const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
      try {
        writeFileSync(temp, text, { flag: 'wx' });
      } catch (error) {
        throw fileError('write', path, error);
      }
      temps.push(temp);
    }
    files.forEach(({ path }, index) => {
      try {
        renameSync(temps[index]!, path);
      } catch (error) {
        throw fileError('write', path, error);
      }
    });
  } finally {
    for (const temp of temps) rmSync(temp, { force: true });
  }
}
