/**
 * The first start records what it runs with (issue 12, "What a new user hits" 1): a fresh state
 * dir started with `--port`/`--token` writes that port and token, so `gateway call`, `health`,
 * `status` and `logs` in the same profile find the gateway; the runbook's two-gateway example.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/gateway-process.js';
import { runCli, spawnCli, type Daemon } from '../helpers/cli-process.js';

let home: string;
const daemons: Daemon[] = [];

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'openclaw-first-start-'));
});
afterEach(async () => {
  for (const daemon of daemons.splice(0)) await daemon.stop('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

function start(args: string[], env: Record<string, string>): Daemon {
  const daemon = spawnCli(['gateway', ...args], env);
  daemons.push(daemon);
  return daemon;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { gateway: { port?: number; auth: { mode?: string; token?: string } } };

describe('first start', () => {
  it('writes the --port and --token it runs with, and every client of the profile finds it', async () => {
    const port = await freePort();
    const env = { HOME: home, OPENCLAW_SKIP_CANVAS_HOST: '1' };
    const daemon = start(['--port', String(port), '--token', 'first-start-token', '--allow-unconfigured'], env);
    await daemon.waitForOutput(/listening on ws:\/\/[\s\S]*Created /);
    const config = readJson(join(home, '.openclaw', 'openclaw.json'));
    expect(config.gateway).toMatchObject({ mode: 'local', port, auth: { mode: 'token', token: 'first-start-token' } });
    expect(daemon.output()).toContain(`port ${port}, the token given by --token`);
    expect(daemon.output()).not.toMatch(/Generated a gateway token/);

    const call = await runCli(['gateway', 'call', 'health'], { env });
    expect(call.stderr).toBe('');
    expect(JSON.parse(call.stdout)).toMatchObject({ ok: true });
    const health = await runCli(['health', '--json'], { env });
    expect(health.code).toBe(0);
    const status = await runCli(['status', '--json'], { env });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ gateway: { url: `ws://127.0.0.1:${port}`, reachable: true } });
    const logs = await runCli(['logs', '--json', '--limit', '5'], { env });
    expect(logs.code).toBe(0);
    expect(logs.stdout).not.toMatch(/notice/);
  });

  it('records no port or secret that the environment decided (clients read the same variables)', async () => {
    const port = await freePort();
    const env = { HOME: home, OPENCLAW_SKIP_CANVAS_HOST: '1', OPENCLAW_GATEWAY_PORT: String(port), OPENCLAW_GATEWAY_TOKEN: 'env-token' };
    const daemon = start([], env);
    await daemon.waitForOutput(/listening on ws:\/\//);
    const config = readJson(join(home, '.openclaw', 'openclaw.json'));
    expect(config.gateway.port).toBeUndefined();
    expect(config.gateway.auth).toEqual({ mode: 'token' });
    const call = await runCli(['gateway', 'call', 'health'], { env });
    expect(JSON.parse(call.stdout)).toMatchObject({ ok: true });
  });

  it("runs the runbook's two-gateway example: each client reaches its own gateway", async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const envOf = (name: string) => ({
      HOME: home,
      OPENCLAW_SKIP_CANVAS_HOST: '1',
      OPENCLAW_CONFIG_PATH: join(home, '.openclaw', `${name}.json`),
      OPENCLAW_STATE_DIR: join(home, `.openclaw-${name}`),
    });
    const a = start(['--port', String(portA)], envOf('a'));
    const b = start(['--port', String(portB)], envOf('b'));
    await Promise.all([a.waitForOutput(/listening on ws:\/\//), b.waitForOutput(/listening on ws:\/\//)]);
    for (const [name, port] of [['a', portA], ['b', portB]] as const) {
      const status = await runCli(['status', '--json'], { env: envOf(name) });
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ gateway: { url: `ws://127.0.0.1:${port}`, reachable: true } });
      const call = await runCli(['gateway', 'call', 'status'], { env: envOf(name) });
      expect(call.code).toBe(0);
    }
  });
});
