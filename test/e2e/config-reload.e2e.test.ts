/**
 * Hot reload and in-process restart (runbook: gateway.reload.mode, SIGUSR1; PROTOCOL.md §10.2:
 * SIGUSR2): a token change applies without dropping sockets, a broken file is refused with one log
 * line, a port change and a restart signal restart in process after a `shutdown` event.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonLines, runCli, spawnCli, startPlainListener, type Daemon } from '../helpers/cli-process.js';
import { ClientPool } from '../helpers/client-pool.js';
import { freePort } from '../helpers/gateway-process.js';
import { connectParams, RawClient } from '../helpers/raw-client.js';

interface Configured {
  readonly dir: string;
  readonly configPath: string;
  readonly daemon: Daemon;
  port: number;
  write(config: unknown): void;
}

let running: Configured | undefined;
let url = '';
const pool = new ClientPool(() => url);

afterEach(async () => {
  pool.closeAll();
  await running?.daemon.stop('SIGKILL');
  if (running) rmSync(running.dir, { recursive: true, force: true });
  running = undefined;
});

const configWith = (port: number, token: string, extra: Record<string, unknown> = {}) => ({
  gateway: { mode: 'local', port, auth: { mode: 'token', token }, reload: { debounceMs: 50 }, ...extra },
});

async function startConfigured(config: unknown): Promise<Configured> {
  const dir = mkdtempSync(join(tmpdir(), 'openclaw-reload-'));
  const configPath = join(dir, 'openclaw.json');
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  const daemon = spawnCli(['gateway'], { OPENCLAW_STATE_DIR: dir, OPENCLAW_CONFIG_PATH: configPath, OPENCLAW_SKIP_CANVAS_HOST: '1' });
  const port = (config as { gateway: { port: number } }).gateway.port;
  running = { dir, configPath, daemon, port, write: (next) => writeFileSync(configPath, typeof next === 'string' ? next : `${JSON.stringify(next, null, 2)}\n`) };
  url = `ws://127.0.0.1:${port}`;
  await daemon.waitForOutput(/listening on ws:\/\//);
  return running;
}

const count = (text: string, pattern: RegExp) => text.split('\n').filter((line) => pattern.test(line)).length;

async function systemFacts(dir: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  const result = await runCli(['gateway', 'journal', 'tail', '--stream', 'system', '--limit', '50'], { env: { OPENCLAW_STATE_DIR: dir } });
  expect(result.code, result.stderr).toBe(0);
  return jsonLines(result.stdout) as unknown as Array<{ type: string; data: Record<string, unknown> }>;
}

async function expectRestart(client: RawClient, restartExpectedMs = 1500): Promise<void> {
  expect(await client.waitClosed(10_000)).toEqual({ code: 1012, reason: 'service restart' });
  expect(client.events('shutdown')).toEqual([
    { type: 'event', event: 'shutdown', payload: { reason: 'gateway restarting', restartExpectedMs }, seq: expect.any(Number) },
  ]);
}

describe('hot reload', () => {
  it('applies a token change without dropping connections; new connects need the new token', async () => {
    const port = await freePort();
    const gw = await startConfigured(configWith(port, 'old-token-0123456789'));
    const { client: old } = await pool.connect({}, 'old-token-0123456789');

    gw.write(configWith(port, 'new-token-0123456789'));
    await gw.daemon.waitForOutput(/config reloaded \(hot\): gateway\.auth\.token/);

    expect((await old.call('health')).ok).toBe(true);
    const { res } = await pool.attempt(connectParams({}, 'old-token-0123456789'));
    expect(res).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', details: { code: 'AUTH_TOKEN_MISMATCH' } } });
    const { hello } = await pool.connect({}, 'new-token-0123456789');
    expect(hello.type).toBe('hello-ok');
    expect(old.closed).toBeNull();
    expect(gw.daemon.output()).not.toContain('new-token-0123456789');
    expect(gw.daemon.output()).not.toMatch(/shutdown|restarting/);

    const facts = await systemFacts(gw.dir);
    expect(facts.filter((f) => f.type === 'config.reloaded')).toEqual([
      expect.objectContaining({ data: { hash: expect.stringMatching(/^[0-9a-f]{64}$/), mode: 'hybrid', action: 'hot', changed: ['gateway.auth.token'] } }),
    ]);
  });

  it('refuses a broken file with one log line and keeps running with the old config', async () => {
    const port = await freePort();
    const gw = await startConfigured(configWith(port, 'keep-token-0123456789'));
    const { client } = await pool.connect({}, 'keep-token-0123456789');

    gw.write('{ gateway: { mode: "local", port: ');
    await gw.daemon.waitForOutput(/config reload refused/);
    gw.write(configWith(port, 'keep-token-0123456789', { port: 'abc' }));
    await gw.daemon.waitForOutput(/gateway\.port: expected integer 0–65535, got "abc"/);

    expect((await client.call('health')).ok).toBe(true);
    const { hello } = await pool.connect({}, 'keep-token-0123456789');
    expect(hello.type).toBe('hello-ok');
    const output = gw.daemon.output();
    expect(count(output, /config reload refused/)).toBe(2);
    expect(output).toMatch(new RegExp(`config reload refused: ${gw.configPath.replace(/[.]/g, '\\.')}: not valid JSON5: .*; keeping the running config`));
    expect(client.closed).toBeNull();
    const facts = await systemFacts(gw.dir);
    expect(facts.filter((f) => f.type === 'config.reload.rejected').map((f) => f.data.issue)).toEqual([
      expect.stringMatching(/^not valid JSON5: /),
      'gateway.port: expected integer 0–65535, got "abc"',
    ]);
  });

  it('restarts in process on a port change: shutdown with restartExpectedMs, close 1012, the new port answers', async () => {
    const [first, second] = [await freePort(), await freePort()];
    const gw = await startConfigured(configWith(first, 'port-token-0123456789'));
    const { client, hello } = await pool.connect({}, 'port-token-0123456789');

    gw.write(configWith(second, 'port-token-0123456789'));
    await expectRestart(client);
    await gw.daemon.waitForOutput(new RegExp(`listening on ws://127\\.0\\.0\\.1:${second}`));

    url = `ws://127.0.0.1:${second}`;
    const { hello: after } = await pool.connect({}, 'port-token-0123456789');
    expect(after.server.bootId).not.toBe(hello.server.bootId);
    await expect(RawClient.open(`ws://127.0.0.1:${first}`)).rejects.toThrow(/ECONNREFUSED/);
    // The journal continues across the restart: the new boot's presence reset follows the shutdown.
    const shutdownSeq = client.events('shutdown')[0]?.seq as number;
    const replay = await (await pool.connect({}, 'port-token-0123456789')).client.call('events.replay', { afterSeq: shutdownSeq - 1 });
    expect((replay.payload as { events: Array<{ event: string; seq: number }> }).events[0]).toMatchObject({ event: 'shutdown', seq: shutdownSeq });

    const facts = await systemFacts(gw.dir);
    const types = facts.map((f) => f.type);
    expect(types.slice(types.indexOf('config.reloaded'))).toEqual(['config.reloaded', 'gateway.restart.requested', 'gateway.stopped', 'gateway.started']);
    expect(facts.find((f) => f.type === 'gateway.restart.requested')?.data).toEqual({
      reason: 'config change (gateway.port)', source: 'config', changed: ['gateway.port'], restartExpectedMs: 1500,
    });
  });

  it('comes back on the previous config when the new port is taken', async () => {
    const [first, taken] = [await freePort(), await freePort()];
    const blocker = await startPlainListener(taken);
    try {
      const gw = await startConfigured(configWith(first, 'back-token-0123456789'));
      const { client } = await pool.connect({}, 'back-token-0123456789');
      gw.write(configWith(taken, 'back-token-0123456789'));
      await expectRestart(client);
      await gw.daemon.waitForOutput(/restart failed: [^\n]*; starting again with the previous config[\s\S]*listening on ws:\/\//);
      const { hello } = await pool.connect({}, 'back-token-0123456789');
      expect(hello.type).toBe('hello-ok');
      const facts = await systemFacts(gw.dir);
      expect(facts.at(-1)).toMatchObject({ type: 'config.reload.rejected', data: { issue: expect.stringMatching(/^restart failed: /) } });
    } finally {
      await blocker.stop();
    }
  });

  it('leaves restart-only changes pending under reload mode "hot"', async () => {
    const port = await freePort();
    const gw = await startConfigured(configWith(port, 'hot-token-0123456789', { reload: { mode: 'hot', debounceMs: 50 } }));
    const { client } = await pool.connect({}, 'hot-token-0123456789');
    gw.write(configWith(await freePort(), 'hot-token-0123456789', { reload: { mode: 'hot', debounceMs: 50 } }));
    await gw.daemon.waitForOutput(/config changed \(gateway\.port\); reload mode hot: not applied until the next restart/);
    expect((await client.call('health')).ok).toBe(true);
  });
});

describe('restart signals', () => {
  for (const signal of ['SIGUSR1', 'SIGUSR2'] as const) {
    it(`${signal} restarts in process after a shutdown event; the same port answers again`, async () => {
      const port = await freePort();
      const gw = await startConfigured(configWith(port, 'sig-token-0123456789'));
      const { client, hello } = await pool.connect({}, 'sig-token-0123456789');
      gw.daemon.child.kill(signal);
      await expectRestart(client);
      await gw.daemon.waitForOutput(new RegExp(`restarting in process: ${signal}[\\s\\S]*listening on ws://`));
      const { hello: after } = await pool.connect({}, 'sig-token-0123456789');
      expect(after.server.bootId).not.toBe(hello.server.bootId);
      expect(gw.daemon.child.exitCode).toBeNull();
      const facts = await systemFacts(gw.dir);
      expect(facts.find((f) => f.type === 'gateway.restart.requested')?.data).toEqual({ reason: signal, source: 'signal', signal, restartExpectedMs: 1500 });
    });
  }

  it('ignores restart signals when commands.restart is false', async () => {
    const port = await freePort();
    const gw = await startConfigured({ ...configWith(port, 'deny-token-0123456789'), commands: { restart: false } });
    const { client } = await pool.connect({}, 'deny-token-0123456789');
    gw.daemon.child.kill('SIGUSR1');
    await gw.daemon.waitForOutput(/SIGUSR1 ignored: commands\.restart is false/);
    expect((await client.call('health')).ok).toBe(true);
    expect(client.events('shutdown')).toEqual([]);
  });

  it('still stops gracefully on SIGTERM after a restart', async () => {
    const port = await freePort();
    const gw = await startConfigured(configWith(port, 'term-token-0123456789'));
    gw.daemon.child.kill('SIGUSR2');
    await gw.daemon.waitForOutput(/restarting in process[\s\S]*listening on ws:\/\//);
    const { client } = await pool.connect({}, 'term-token-0123456789');
    const exited = gw.daemon.stop('SIGTERM');
    expect(await client.waitClosed(10_000)).toEqual({ code: 1012, reason: 'service restart' });
    expect(await exited).toEqual({ code: 0, signal: null });
  });
});
