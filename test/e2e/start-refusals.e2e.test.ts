/**
 * Start-up refusals of `openclaw gateway` (PROTOCOL.md §2.4, §10.2): each ends with one clear
 * line on stderr and a non-zero exit, before anything listens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
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
  it('refuses --bind lan with --auth none: one clear line, non-zero exit', async () => {
    const port = await freePort();
    const daemon = gateway(['--port', String(port), '--bind', 'lan', '--auth', 'none']);
    const { code } = await daemon.exited;
    expect(code).not.toBe(0);
    expect(daemon.stderr()).toBe('openclaw gateway: refusing to bind 0.0.0.0 without auth: set a token or password, or bind loopback\n');
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
    expect(lines[0]).toMatch(/^openclaw gateway: /);
    expect(lines[0]).toMatch(/in use/);
    expect(lines[0]).toContain(String(port));
    // The other listener is untouched.
    expect(plain.child.exitCode).toBeNull();
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('plain');
  });
});
