import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';
import { ConfigError } from '../../infra/data/config-error';

/** The tools the rehearsal runs, and the one line that installs them. */
export const REHEARSAL_TOOLS = ['moto_server', 'cfn-lint', 'aws'] as const;
export const INSTALL_HINT = 'pip install "moto[server]" cfn-lint awscli';

/** A moto server this process started; `stop` ends it (and is safe to call twice). */
export interface MotoServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Whether a command is an executable file on PATH. */
export function onPath(command: string, path = process.env.PATH ?? ''): boolean {
  return path.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Stops with one line naming the install command when a tool is missing. */
export function requireTools(): void {
  const missing = REHEARSAL_TOOLS.filter((tool) => !onPath(tool));
  if (missing.length > 0) throw new ConfigError([`${missing.join(', ').replace(/, ([^,]*)$/, ' and $1')} not found on PATH: ${INSTALL_HINT}`]);
}

/** A TCP port free on the loopback interface right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts `moto_server` on a free loopback port and waits until it answers (30 s at most). The
 * child is killed when this process exits, however it exits; `stop` ends it earlier.
 */
export async function startMoto(startTimeoutMs = 30_000): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  // Its own process group: `moto_server` may be a shim (pyenv) whose Python runs as a grandchild,
  // and signalling the group reaches it too.
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // The group is gone already.
    }
  };
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
  const killOnExit = () => signal('SIGKILL');
  process.once('exit', killOnExit);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    const ended = () => {
      exited = true;
      resolve();
    };
    child.once('exit', ended);
    // A spawn that fails (no such command) emits this instead.
    child.once('error', ended);
  });
  const stop = async () => {
    process.off('exit', killOnExit);
    if (exited) return;
    signal('SIGTERM');
    const killed = setTimeout(() => signal('SIGKILL'), 5_000);
    await exit;
    clearTimeout(killed);
  };
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (exited) {
      const last = stderr.trim().split('\n').at(-1) ?? '';
      throw new ConfigError([`moto_server exited before answering${last ? `: ${last}` : ''}.`]);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.ok) return { endpoint, stop };
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new ConfigError([`moto_server did not answer on ${endpoint} within ${startTimeoutMs / 1000} s.`]);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
