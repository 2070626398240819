/**
 * The file log over RPC (PROTOCOL.md §5.12 `logs.tail`, CLI-FRAMES.md #13/#14 `openclaw logs`) and
 * `config.get`: cursors, rotation (`reset` + `skippedBytes`), the CLI's JSONL output, and secrets
 * kept out of every log line, including `--verbose` frame logs of `connect`.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonLines, runCli, spawnCli, type Daemon } from '../helpers/cli-process.js';
import { ClientPool } from '../helpers/client-pool.js';
import { freePort } from '../helpers/gateway-process.js';

const TOKEN = 'logs-token-0123456789abcdef';
const daemons: Daemon[] = [];
let dir: string | undefined;
let url = '';
const pool = new ClientPool(() => url);

afterEach(async () => {
  pool.closeAll();
  await Promise.all(daemons.splice(0).map((d) => d.stop('SIGKILL')));
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function start(logging: Record<string, unknown>, args: string[] = []) {
  dir = mkdtempSync(join(tmpdir(), 'openclaw-logs-'));
  const port = await freePort();
  const configPath = join(dir, 'openclaw.json');
  const config = { gateway: { mode: 'local', port, auth: { mode: 'token', token: TOKEN }, reload: { debounceMs: 50 } }, logging };
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const gateway = spawnCli(['gateway', ...args], { OPENCLAW_STATE_DIR: dir, OPENCLAW_CONFIG_PATH: configPath, OPENCLAW_SKIP_CANVAS_HOST: '1' });
  daemons.push(gateway);
  await gateway.waitForOutput(/listening on ws:\/\//);
  url = `ws://127.0.0.1:${port}`;
  return { port, configPath, config, gateway, logFile: join(dir, 'logs', 'gateway.log') };
}

interface Tail { file: string; cursor: number; size: number; lines: string[]; truncated?: boolean; reset?: boolean; skippedBytes?: number }

describe('logs.tail', () => {
  it('tails the JSONL file log, continues from a cursor, and resets after a rotation', async () => {
    const { logFile } = await start({ level: 'debug', maxFileBytes: 65536, maxFiles: 2 });
    const { client } = await pool.connect({}, TOKEN);
    const first = (await client.call('logs.tail', { limit: 5 })).payload as Tail;
    expect(first).toMatchObject({ file: logFile, truncated: expect.any(Boolean), reset: false });
    expect(first.lines.length).toBeGreaterThan(0);
    for (const line of first.lines) expect(JSON.parse(line)).toMatchObject({ time: expect.any(String), level: expect.any(String), subsystem: expect.stringMatching(/^gateway/), message: expect.any(String), _meta: { logLevelName: expect.any(String) } });

    await client.call('health');
    const next = (await client.call('logs.tail', { cursor: first.cursor })).payload as Tail;
    expect(next.reset).toBe(false);
    expect(next.lines.some((line) => line.includes('"frame in"') && line.includes('health')), JSON.stringify(next).slice(0, 3000)).toBe(true);

    // Debug frame logs (≤ 2 KiB each) of 80 calls overflow 64 KiB: the file rotates under the old cursor.
    for (let i = 0; i < 80; i += 1) await client.call('health');
    const after = (await client.call('logs.tail', { cursor: next.cursor })).payload as Tail;
    expect(after.reset).toBe(true);
    expect(after.skippedBytes).toBeGreaterThan(0);
    expect(readFileSync(`${logFile}.1`).length).toBeLessThanOrEqual(65536);
  });

  it('answers config.get with the redacted config, its path and hash', async () => {
    const { configPath } = await start({});
    const { client } = await pool.connect({}, TOKEN);
    const res = await client.call('config.get', {});
    expect(res.payload).toEqual({
      path: configPath,
      exists: true,
      valid: true,
      hash: createHash('sha256').update(readFileSync(configPath)).digest('hex'),
      config: expect.objectContaining({ gateway: expect.objectContaining({ auth: { mode: 'token', token: '__OPENCLAW_REDACTED__' } }) }),
      issues: [],
    });
    expect(JSON.stringify(res)).not.toContain(TOKEN);
  });
});

describe('secrets in logs', () => {
  it('--verbose logs every frame of connect with the token masked, on stdout and in the file', async () => {
    const { gateway, logFile } = await start({ level: 'debug' }, ['--verbose']);
    const { client } = await pool.connect({}, TOKEN);
    await client.call('config.get', {});
    await gateway.waitForOutput(/frame in.*connect/);
    const file = readFileSync(logFile, 'utf8');
    expect(gateway.output()).toContain('__OPENCLAW_REDACTED__');
    expect(file).toContain('__OPENCLAW_REDACTED__');
    expect(gateway.output()).not.toContain(TOKEN);
    expect(file).not.toContain(TOKEN);
  });
});

describe('openclaw logs', () => {
  it('prints meta and parsed log records as JSON lines', async () => {
    const { port, logFile } = await start({});
    const result = await runCli(['logs', '--json', '--limit', '5', '--url', `ws://127.0.0.1:${port}`, '--token', TOKEN]);
    expect(result.code, result.stderr).toBe(0);
    const [meta, ...records] = jsonLines(result.stdout);
    expect(meta).toEqual({ type: 'meta', file: logFile, sourceKind: 'file', cursor: expect.any(Number), size: expect.any(Number) });
    expect(records.length).toBeGreaterThan(0);
    expect(records.at(-1)).toMatchObject({ type: 'log', time: expect.any(String), level: 'info', subsystem: 'gateway', message: expect.stringContaining('listening on ws://'), raw: expect.any(String) });
  });

  it('--follow polls with the cursor and prints new lines as they are written', async () => {
    const { port, configPath, config } = await start({});
    const follow = spawnCli(['logs', '--follow', '--json', '--interval', '100', '--url', `ws://127.0.0.1:${port}`, '--token', TOKEN]);
    daemons.push(follow);
    await follow.waitForOutput(/listening on ws:/);
    writeFileSync(configPath, JSON.stringify({ ...config, logging: { level: 'info', maxFiles: 3 } }, null, 2));
    await follow.waitForOutput(/config reloaded \(hot\): logging/);
    const records = jsonLines(follow.output());
    expect(records.filter((r) => r.type === 'meta')).toHaveLength(1);
    const messages = records.filter((r) => r.type === 'log').map((r) => String(r.message));
    expect(messages.filter((m) => m.startsWith('listening on'))).toHaveLength(1); // no line twice
  });

  it('falls back to the configured file log when no local gateway answers', async () => {
    const { gateway, logFile } = await start({});
    await gateway.stop('SIGTERM');
    const env = { OPENCLAW_STATE_DIR: dir as string, OPENCLAW_CONFIG_PATH: join(dir as string, 'openclaw.json') };
    const result = await runCli(['logs', '--json', '--limit', '50'], { env });
    expect(result.code, result.stderr).toBe(0);
    const records = jsonLines(result.stdout);
    expect(records.slice(0, 2)).toEqual([
      { type: 'notice', message: 'Local Gateway RPC unavailable; reading configured file log instead.' },
      { type: 'meta', file: logFile, sourceKind: 'file', cursor: expect.any(Number), size: expect.any(Number), localFallback: true },
    ]);
    expect(records.some((r) => r.type === 'log' && String(r.message).startsWith('listening on'))).toBe(true);
  });

  it('reads the local gateway from the config without --url', async () => {
    await start({});
    const result = await runCli(['logs', '--limit', '3'], { env: { OPENCLAW_STATE_DIR: dir as string, OPENCLAW_CONFIG_PATH: join(dir as string, 'openclaw.json') } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^\S+ info gateway listening on ws:\/\//m);
  });
});
