import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SyncResolver } from 'jest-resolve';

/** Where the test environment (`host-module-environment.ts`) puts Node's own `require` in each sandbox. */
export const HOST_REQUIRE = 'inavor-shuttle.test.hostRequire';

/** A file of the packages a worker loads once, with Node's loader, for all its test files. */
const HOST_LOADED = /[/\\]node_modules[/\\]((aws-cdk-lib|constructs|cdk-nag)[/\\].+\.js)$/;

/** Each real file's one-line module, checked or written once per process. */
const proxies = new Map<string, string>();

/**
 * Jest's resolver, except that a test file's import of aws-cdk-lib, constructs or cdk-nag resolves
 * to a one-line module that takes the real one from Node's loader, outside the sandbox. Jest gives
 * every test file a module registry of its own, so each file that built an app loaded and compiled
 * those packages again; this way a worker loads them once. The one-line modules are written
 * under node_modules/.cache. Only test files resolve through here: the global setup and teardown
 * run outside any sandbox and load the packages as they are.
 */
const resolve: SyncResolver = (request, options) => {
  const path = options.defaultResolver(request, options);
  const [, hostLoaded, hostPackage] = HOST_LOADED.exec(path) ?? [];
  if (hostLoaded === undefined) return path;
  let proxy = proxies.get(path);
  if (proxy === undefined) {
    proxy = join(options.rootDir ?? process.cwd(), 'node_modules', '.cache', 'host-modules', hostLoaded);
    writeProxy(proxy, path, hostPackage!);
    proxies.set(path, proxy);
  }
  return proxy;
};

function writeProxy(proxy: string, path: string, hostPackage: string): void {
  const code = [
    `const hostRequire = globalThis[Symbol.for(${JSON.stringify(HOST_REQUIRE)})];`,
    `if (typeof hostRequire !== 'function') throw new Error(${JSON.stringify(
      `${hostPackage} is loaded by the test environment test/support/host-module-environment.ts (jest.config.ts), and this test file runs in another.`,
    )});`,
    `module.exports = hostRequire(${JSON.stringify(path)});`,
    '',
  ].join('\n');
  // Rewritten when it names another path (the checkout moved or was copied with its node_modules).
  if (existsSync(proxy) && readFileSync(proxy, 'utf8') === code) return;
  mkdirSync(dirname(proxy), { recursive: true });
  // Both workers may write the same file: each renames a whole file of its own into place.
  const partial = `${proxy}.${process.pid}`;
  writeFileSync(partial, code);
  renameSync(partial, proxy);
}

export default resolve;
