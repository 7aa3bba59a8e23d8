import { spawn } from 'node:child_process';

/** How a child ended, and what it printed. */
export interface ChildResult {
  /** Its exit code; null when it was stopped or could not start. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Why it did not run to its end: its time ran out, the caller stopped it, or it could not start. */
  readonly stopped?: string;
}

/** Where and how long a child runs. */
export interface ChildOptions {
  /** Longest run; the child and every process it started are killed then. */
  readonly timeoutMs: number;
  /** Stops the child early (the rehearsal ends before it needs the result). */
  readonly signal?: AbortSignal;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs a tool of the rehearsal (cfn-lint, Jest) to its end, within a time limit: a tool that
 * hangs would otherwise keep the rehearsal from ever exiting. The child leads a process group of
 * its own, so a shim's grandchild (pyenv runs Python under its `cfn-lint`) is killed with it, on
 * the time limit, on `signal`, and when this process exits.
 */
export function runChild(command: string, args: readonly string[], options: ChildOptions): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let stopped: string | undefined;
    const kill = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // The group has ended already.
      }
    };
    const stop = (reason: string) => {
      stopped ??= reason;
      kill();
    };
    const timer = setTimeout(() => stop(`it did not finish within ${options.timeoutMs / 1000} s and was stopped`), options.timeoutMs);
    const aborted = () => stop('the rehearsal ended before it did, so it was stopped');
    options.signal?.addEventListener('abort', aborted);
    if (options.signal?.aborted) aborted();
    process.once('exit', kill);
    let ended = false;
    const done = (code: number | null) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', aborted);
      process.off('exit', kill);
      resolve({ code: stopped ? null : code, stdout, stderr, ...(stopped && { stopped }) });
    };
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.once('error', (error) => {
      stopped ??= `it could not start: ${error.message}`;
      done(null);
    });
    child.once('close', done);
  });
}
