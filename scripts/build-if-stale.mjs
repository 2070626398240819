#!/usr/bin/env node
// `npm start` runs this first: it builds only when a source, the manifest or the compiler settings
// changed since the last build (dist/openclaw.mjs), so a start takes the gateway's start-up time
// instead of a full compile. `npm install` builds once (the `prepare` script); `npm run build` is
// incremental (tsc --incremental, its state in dist/.tsbuildinfo) and `npm test` still runs it.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const output = join(root, 'dist', 'openclaw.mjs');
const SOURCE_DIRS = ['actors', 'machines', 'protocol', 'store', 'bin', 'bench', 'ui'];
const SOURCE_FILES = ['package.json', 'package-lock.json', 'tsconfig.json'];

/** The newest modification time of the TypeScript sources under `dir`. */
function newestUnder(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOENT') return 0;
    throw error;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestUnder(path));
    else if (entry.name !== 'protocol.schema.json' && /\.(ts|tsx|json|css|html|mjs)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function builtAt() {
  try {
    return statSync(output).mtimeMs;
  } catch (error) {
    if (error.code === 'ENOENT') return null;
    throw error;
  }
}

const built = builtAt();
const newest = Math.max(
  ...SOURCE_DIRS.map((dir) => newestUnder(join(root, dir))),
  ...SOURCE_FILES.map((file) => {
    try {
      return statSync(join(root, file)).mtimeMs;
    } catch {
      return 0;
    }
  }),
);
if (built !== null && built >= newest) process.exit(0);
process.stderr.write(built === null ? 'openclaw: no build yet, building…\n' : 'openclaw: sources changed since the last build, building…\n');
// `--check`: only say whether a build is needed (exit 3), build nothing.
if (process.argv.includes('--check')) process.exit(3);
const npm = process.env.npm_execpath;
const result = npm
  ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' })
  : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
