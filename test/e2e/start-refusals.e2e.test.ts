/**
 * Start-up refusals of `openclaw gateway` (PROTOCOL.md §2.4, §10.2): each ends with one clear
 * line on stderr and a non-zero exit, before anything listens.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/gateway-process.js';
import { spawnCli, startPlainListener, type Daemon } from '../helpers/cli-process.js';

let stateDir: string;
const daemons: Daemon[] = [];

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'openclaw-test-'));
});
afterEach(async () => {
  for (const daemon of daemons.splice(0)) await daemon.stop('SIGKILL');
  rmSync(stateDir, { recursive: true, force: true });
});

function gateway(args: string[]): Daemon {
  const daemon = spawnCli(['gateway', ...args], { OPENCLAW_STATE_DIR: stateDir });
  daemons.push(daemon);
  return daemon;
}

describe('start-up refusals', () => {
  it('refuses a config whose gateway.mode is not local with the runbook line, exit 78', async () => {
    writeFileSync(join(stateDir, 'openclaw.json'), JSON.stringify({ gateway: { mode: 'remote', auth: { token: 'tok' } } }));
    const daemon = gateway(['--port', String(await freePort())]);
    const { code } = await daemon.exited;
    expect(code).toBe(78);
    expect(daemon.stderr()).toBe('openclaw gateway: Gateway start blocked: set gateway.mode=local (current: remote) or pass --allow-unconfigured.\n');
  });

  it('refuses --bind lan with --auth none: one clear line, non-zero exit', async () => {
    const port = await freePort();
    const daemon = gateway(['--port', String(port), '--bind', 'lan', '--auth', 'none']);
    const { code } = await daemon.exited;
    expect(code).not.toBe(0);
    // The runbook's failure signature (seed 002): `refusing to bind gateway to <host>:<port> without auth`.
    expect(daemon.stderr()).toBe(
      `openclaw gateway: refusing to bind gateway to 0.0.0.0:${port} without auth (set gateway.auth.token/password, pass --token/--password or set OPENCLAW_GATEWAY_TOKEN/OPENCLAW_GATEWAY_PASSWORD; or bind loopback)\n`,
    );
    expect(daemon.output()).not.toMatch(/listening on/);
  });

  it('accepts --auth none on the default loopback bind', async () => {
    const port = await freePort();
    const daemon = gateway(['--port', String(port), '--auth', 'none']);
    await daemon.waitForOutput(/listening on ws:\/\/127\.0\.0\.1:\d+/);
  });

  it('exits non-zero with one clear line when the port is already in use (no --force)', async () => {
    const port = await freePort();
    const plain = await startPlainListener(port);
    daemons.push(plain);
    const daemon = gateway(['--port', String(port), '--token', 'tok']);
    const { code } = await daemon.exited;
    expect(code).not.toBe(0);
    const lines = daemon.stderr().split('\n').filter((line) => line.length > 0);
    expect(lines).toHaveLength(1);
    // The runbook's failure signature, with EADDRINUSE and who holds the port.
    expect(lines[0]).toMatch(
      new RegExp(`^openclaw gateway: another gateway instance is already listening on ws://127\\.0\\.0\\.1:${port} \\(EADDRINUSE: held by pid ${plain.child.pid} \\(node\\)\\); stop it or pass --force$`),
    );
    // The other listener is untouched.
    expect(plain.child.exitCode).toBeNull();
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('plain');
  });
});
