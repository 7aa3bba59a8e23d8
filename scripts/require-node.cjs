'use strict';
// Loaded with `node -r` before every npm script's own file, and written in plain CommonJS so that
// any Node can run it: on a Node older than the project needs, the newcomer gets one line saying
// what to do instead of a syntax error from a TypeScript file.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `Error: Node.js 22.18 or later is required, this is v${process.versions.node}: install Node 22 (README.md, "Quick start", e.g. nvm install 22) and run again.`,
  );
  process.exit(1);
}
