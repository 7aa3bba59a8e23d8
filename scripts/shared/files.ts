import { appendFileSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../../infra/data/config-error';

/** A file operation that failed, as one line naming the path: `cannot write x.sarif: EACCES: permission denied`. */
export function fileError(action: string, path: string, error: unknown): ConfigError {
  // Node appends the syscall and the path (", open '/x/y'"), which may be a temp file's; the path is named first.
  const reason = (error as Error).message.replace(/, \w+( '.*')?$/, '');
  return new ConfigError([`cannot ${action} ${path}: ${reason}.`]);
}

/** The largest file a command reads: every input is a report or a log far below it. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/**
 * Reads a UTF-8 text file, or fails in one line naming it: also when it is not a regular file (a
 * device such as /dev/zero, a pipe, a folder), is larger than `maxBytes`, or is not text (a NUL
 * byte or bytes that are not UTF-8).
 */
export function readTextFile(path: string, maxBytes: number = MAX_INPUT_BYTES): string {
  let bytes;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) throw new ConfigError([`cannot read ${path}: it is ${stats.isDirectory() ? 'a folder' : 'not a regular file'}.`]);
    if (stats.size > maxBytes) throw new ConfigError([`cannot read ${path}: it is ${stats.size} bytes, over the ${maxBytes}-byte limit.`]);
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw fileError('read', path, error);
  }
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = '\0';
  }
  if (text.includes('\0')) throw new ConfigError([`cannot read ${path}: it is not UTF-8 text.`]);
  return text;
}

/**
 * Fails in one line unless `path` can be appended to: an existing regular file, or a new file in
 * an existing folder. Checked before a command writes its other files, so none is left half-done.
 */
export function assertAppendable(path: string): void {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError('append to', path, error);
    const parent = dirname(path);
    let isFolder = false;
    try {
      isFolder = statSync(parent).isDirectory();
    } catch {
      // Reported below.
    }
    if (!isFolder) throw new ConfigError([`cannot append to ${path}: ${parent} is not an existing folder.`]);
    return;
  }
  if (!stats.isFile()) throw new ConfigError([`cannot append to ${path}: it is ${stats.isDirectory() ? 'a folder' : 'not a regular file'}.`]);
}

/** GitHub keeps a step's job summary only while its file is at most 1 MiB: past it, the whole summary is dropped. */
export const STEP_SUMMARY_MAX_BYTES = 1024 * 1024;

/** Bytes that may still be appended to a step's summary file (`$GITHUB_STEP_SUMMARY`), what earlier commands wrote counted. */
export function stepSummaryRoom(path: string): number {
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    // Not there yet: the whole step's room is left.
  }
  return Math.max(0, STEP_SUMMARY_MAX_BYTES - size);
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
 * Fails in one line unless `path` can be written whole by {@link writeFilesAtomically}: a regular
 * file or a new one, in an existing folder. A command checks it before its slow work, so a path it
 * cannot use costs nothing.
 */
export function assertWritable(path: string): void {
  const parent = dirname(path);
  let isFolder;
  try {
    isFolder = statSync(parent).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError('write', path, error);
    isFolder = false;
  }
  if (!isFolder) throw new ConfigError([`cannot write ${path}: ${parent} is not an existing folder.`]);
  // A folder or device in the target's place would fail its rename after the others were in place.
  let existing;
  try {
    existing = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError('write', path, error);
  }
  if (existing && !existing.isFile()) throw new ConfigError([`cannot write ${path}: it is ${existing.isDirectory() ? 'a folder' : 'not a regular file'}.`]);
}

/**
 * Writes every file whole or none of them: each text goes to a temp file beside its target, and
 * only when all are written are they renamed into place. Folders are not created: a missing parent
 * is an error naming it (Node's recursive mkdir never returns for some paths, such as under /proc).
 */
export function writeFilesAtomically(files: ReadonlyArray<{ readonly path: string; readonly text: string }>): void {
  for (const { path } of files) assertWritable(path);
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
