/**
 * Port precedence of `openclaw gateway` (PROTOCOL.md §1, §10.2):
 * --port > OPENCLAW_GATEWAY_PORT > gateway.port in openclaw.json > 18789.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/gateway-process.js';
import { spawnCli, type Daemon } from '../helpers/cli-process.js';

let stateDir: string;
let daemon: Daemon | undefined;

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'openclaw-test-'));
});
afterEach(async () => {
  await daemon?.stop('SIGKILL');
  daemon = undefined;
  rmSync(stateDir, { recursive: true, force: true });
});

/** `count` different free ports. */
async function distinctPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** Writes openclaw.json with gateway.mode local, gateway.port and a token. */
function writeConfig(port: number): void {
  const config = { gateway: { mode: 'local', port, auth: { mode: 'token', token: 'tok-config' } } };
  writeFileSync(join(stateDir, 'openclaw.json'), JSON.stringify(config, null, 2));
}

/** Starts the gateway with `args`/`env`, and returns the port it says it listens on. */
async function listeningPort(args: string[], env: Record<string, string> = {}): Promise<number> {
  daemon = spawnCli(['gateway', ...args], { OPENCLAW_STATE_DIR: stateDir, ...env });
  await daemon.waitForOutput(/listening on ws:\/\/127\.0\.0\.1:\d+/);
  const match = /listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(daemon.output());
  const port = Number(match?.[1]);
  // The port it names is the port it serves.
  const res = await fetch(`http://127.0.0.1:${port}/health`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true, status: 'live' });
  return port;
}

describe('port precedence', () => {
  it('uses gateway.port from openclaw.json when neither --port nor OPENCLAW_GATEWAY_PORT is set', async () => {
    const configPort = await freePort();
    writeConfig(configPort);
    expect(await listeningPort([])).toBe(configPort);
  });

  it('prefers OPENCLAW_GATEWAY_PORT over gateway.port', async () => {
    const [configPort = 0, envPort = 0] = await distinctPorts(2);
    writeConfig(configPort);
    expect(await listeningPort([], { OPENCLAW_GATEWAY_PORT: String(envPort) })).toBe(envPort);
  });

  it('prefers --port over OPENCLAW_GATEWAY_PORT and gateway.port', async () => {
    const [configPort = 0, envPort = 0, flagPort = 0] = await distinctPorts(3);
    writeConfig(configPort);
    expect(await listeningPort(['--port', String(flagPort)], { OPENCLAW_GATEWAY_PORT: String(envPort) })).toBe(flagPort);
  });

  it('refuses an invalid --port with one clear line and a non-zero exit', async () => {
    writeConfig(await freePort());
    daemon = spawnCli(['gateway', '--port', 'abc'], { OPENCLAW_STATE_DIR: stateDir });
    const { code } = await daemon.exited;
    expect(code).not.toBe(0);
    expect(daemon.stderr()).toBe('openclaw gateway: invalid port from --port: abc\n');
  });
});
