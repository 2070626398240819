/**
 * `npm start` builds only when the sources changed (issue 12, "What a new user hits" 9): `npm
 * install` builds once (`prepare`), `npm start` runs the freshness check, `npm test` still builds.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bundle = `${root}dist/openclaw.mjs`;
const check = () => spawnSync(process.execPath, ['scripts/build-if-stale.mjs', '--check'], { cwd: root, encoding: 'utf8' });

describe('build once, start fast', () => {
  it('wires prepare (npm install), the freshness check (npm start) and a build before npm test', () => {
    const { scripts } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.prepare).toBe('npm run build');
    expect(scripts.start).toBe('node scripts/build-if-stale.mjs && node bin/openclaw gateway');
    expect(scripts.test).toMatch(/^npm run build && /);
    const tsconfig = JSON.parse(readFileSync(`${root}tsconfig.json`, 'utf8')) as { compilerOptions: Record<string, unknown> };
    expect(tsconfig.compilerOptions).toMatchObject({ incremental: true, tsBuildInfoFile: 'dist/.tsbuildinfo' });
  });

  it('needs no build when dist is newer than every source, and one when a source is newer', () => {
    const fresh = check();
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(fresh.stderr).toBe('');
    const { atime, mtime } = statSync(bundle);
    try {
      utimesSync(bundle, atime, new Date(0)); // as if every source changed after the build
      const stale = check();
      expect(stale.status).toBe(3);
      expect(stale.stderr).toBe('openclaw: sources changed since the last build, building…\n');
    } finally {
      utimesSync(bundle, atime, mtime);
    }
  });
});
