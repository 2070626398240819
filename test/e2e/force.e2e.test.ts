/**
 * `openclaw gateway --force` (PROTOCOL.md §10.2): stops whatever listens on the port, says what
 * it killed, then starts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/gateway-process.js';
import { spawnCli, startPlainListener, type Daemon } from '../helpers/cli-process.js';

let stateDir: string | undefined;
const daemons: Daemon[] = [];

afterEach(async () => {
  for (const daemon of daemons.splice(0)) await daemon.stop('SIGKILL');
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  stateDir = undefined;
});

describe('--force', () => {
  it('kills the listener on the port, says which pid it killed, and starts on that port', async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'openclaw-test-'));
    const port = await freePort();
    const plain = await startPlainListener(port);
    daemons.push(plain);
    const pid = plain.child.pid as number;

    const gateway = spawnCli(['gateway', '--port', String(port), '--token', 'tok', '--force'], { OPENCLAW_STATE_DIR: stateDir });
    daemons.push(gateway);
    await gateway.waitForOutput(/listening on ws:\/\//);
    expect(gateway.output()).toContain(`--force: sent SIGTERM to pid ${pid} (node) listening on port ${port}\n`);
    expect(await plain.exited).toEqual({ code: 0, signal: null });

    const res = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await res.json()).toEqual({ ok: true, status: 'live' });
  });

  it('says nothing listens when the port is free, and starts', async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'openclaw-test-'));
    const port = await freePort();
    const gateway = spawnCli(['gateway', '--port', String(port), '--token', 'tok', '--force'], { OPENCLAW_STATE_DIR: stateDir });
    daemons.push(gateway);
    await gateway.waitForOutput(/listening on ws:\/\//);
    expect(gateway.output()).toContain(`--force: nothing listens on port ${port}\n`);
  });
});
