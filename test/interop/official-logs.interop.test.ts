/**
 * The official `openclaw logs` (CLI-FRAMES.md #13, #14) against our gateway: one `logs.tail` with
 * `--json`, and `--follow`, which polls on fresh connections with the last cursor. The follower is
 * bounded: it is killed once it printed what the test waits for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { ensureOfficial, makeOfficialHome, OFFICIAL_HOOK_TIMEOUT_MS, runOfficialCli, type OfficialHome } from '../helpers/official.js';

let gateway: GatewayProcess;
let home: OfficialHome;
const children: ChildProcess[] = [];

beforeAll(async () => {
  await ensureOfficial();
  gateway = await startGatewayProcess({ env: { OPENCLAW_SKIP_CANVAS_HOST: '1' } });
  home = makeOfficialHome();
}, OFFICIAL_HOOK_TIMEOUT_MS);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await gateway?.stop();
  gateway?.cleanup();
  home?.cleanup();
});

const target = (): string[] => ['--url', gateway.url, '--token', gateway.token];
const records = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('official CLI: logs', { timeout: 90_000 }, () => {
  it('`logs --json --limit 5` prints the meta record and our log lines, parsed', async () => {
    const result = await runOfficialCli(['logs', '--json', '--limit', '5', ...target()]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const [meta, ...logs] = records(result.stdout);
    expect(meta).toMatchObject({ type: 'meta', file: join(gateway.stateDir, 'logs', 'gateway.log'), sourceKind: 'file', cursor: expect.any(Number), size: expect.any(Number) });
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).toContainEqual(
      expect.objectContaining({ type: 'log', level: 'info', subsystem: 'gateway', message: expect.stringContaining(`listening on ws://127.0.0.1:${gateway.port}`) }),
    );
  });

  it('`logs --follow --json` keeps polling with the cursor and prints lines written later, once each', async () => {
    const wrapper = await ensureOfficial();
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(OPENCLAW_|VITEST|NODE_ENV$|TEST$|NODE_OPTIONS$)/.test(key)));
    const child = spawn(wrapper, ['logs', '--follow', '--json', '--interval', '300', ...target()], {
      cwd: home.dir,
      env: { ...inherited, NO_COLOR: '1', FORCE_COLOR: '0', OFFICIAL_HOME: home.dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const waitFor = async (pattern: RegExp, what: string) => {
      const deadline = Date.now() + 60_000;
      while (!pattern.test(stdout)) {
        if (child.exitCode !== null) throw new Error(`official logs --follow exited (${child.exitCode}) before ${what}:\n${stdout}\n${stderr}`);
        if (Date.now() > deadline) throw new Error(`no ${what} within 60 s:\n${stdout}\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await waitFor(/listening on ws:/, 'first page');
    // A hot reload writes a new line into the file log; the follower must pick it up.
    const configPath = join(gateway.stateDir, 'openclaw.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(configPath, JSON.stringify({ ...config, logging: { level: 'info', maxFiles: 4 } }, null, 2));
    await waitFor(/config reloaded \(hot\): logging/, 'the reload line');
    child.kill('SIGTERM');
    const all = records(stdout);
    expect(all.filter((r) => r.type === 'meta')).toHaveLength(1);
    const messages = all.filter((r) => r.type === 'log').map((r) => String(r.message));
    expect(messages.filter((m) => m.includes('listening on ws:'))).toHaveLength(1);
    expect(messages.filter((m) => m.includes('config reloaded (hot): logging'))).toHaveLength(1);
  });
});
