/**
 * `openclaw gateway journal backup|verify|restore` (issue 11 item 6): a backup taken while the
 * gateway appends under a write load (system events) verifies, and a gateway started on the
 * restored copy continues `seq` and `stateVersion` from it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-process.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { connectClient, type RawClient } from '../helpers/raw-client.js';

const dirs: string[] = [];
const gateways: GatewayProcess[] = [];
const clients: RawClient[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
const start = async (stateDir: string) => {
  const gateway = await startGatewayProcess({ stateDir });
  gateways.push(gateway);
  return gateway;
};
const connect = async (gateway: GatewayProcess) => {
  const connected = await connectClient(gateway.url);
  clients.push(connected.client);
  return connected;
};

afterAll(async () => {
  for (const client of clients) client.close();
  for (const gateway of gateways) await gateway.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Verified {
  ok: boolean;
  lastSeq: number;
  gatewaySeq: number;
  stateVersion: { presence: number; health: number };
  checkpoints: Array<{ name: string; result: string }>;
  problems: string[];
}

describe('journal backup under load, verify, restore', () => {
  it('backs up online, verifies, refuses to restore over a running gateway, and a restored gateway continues seq and stateVersion', async () => {
    const stateDir = tempDir('openclaw-backup-live-');
    const env = { OPENCLAW_STATE_DIR: stateDir };
    // A first boot and a graceful stop leave a checkpoint in the journal for verify to check.
    await (await start(stateDir)).stop();
    const gateway = await start(stateDir);
    const { client } = await connect(gateway); // the write load
    const { client: waiter } = await connect(gateway); // paces the test while the load runs

    let calls = 0;
    let loading = true;
    const load = (async () => {
      while (loading && calls < 20_000) {
        const res = await client.call('system-event', { text: `load ${calls}`, instanceId: `node-${calls % 7}`, host: `host-${calls % 7}` });
        if (res.ok !== true) throw new Error(`system-event failed: ${JSON.stringify(res)}`);
        calls += 1;
      }
    })();
    while (calls < 20) await waiter.call('health');
    const file = join(tempDir('openclaw-backup-file-'), 'journal-backup.sqlite');
    const backup = await runCli(['gateway', 'journal', 'backup', file, '--json'], { env });
    const atBackupEnd = calls;
    while (calls < atBackupEnd + 10) await waiter.call('health');
    loading = false;
    await load;
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    const taken = JSON.parse(backup.stdout) as Verified;
    expect(taken).toMatchObject({ ok: true, problems: [] });
    expect(taken.checkpoints).toContainEqual({ name: 'gateway-view', position: expect.any(Number), result: 'ok' });
    expect(taken.gatewaySeq).toBeGreaterThan(20);

    const again = await runCli(['gateway', 'journal', 'backup', file], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('exists; pass --force to overwrite it');

    const verify = await runCli(['gateway', 'journal', 'verify', file, '--json'], { env });
    expect(verify.code).toBe(0);
    const { source: _source, ...withoutSource } = taken as Verified & { source?: string };
    expect(JSON.parse(verify.stdout)).toEqual(withoutSource);
    const human = await runCli(['gateway', 'journal', 'verify', file]);
    expect(human.stdout).toMatch(/: ok — \d+ facts in \d+ streams/);

    const refused = await runCli(['gateway', 'journal', 'restore', file], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('stop the gateway before restoring');

    const restoredDir = tempDir('openclaw-backup-restored-');
    const restore = await runCli(['gateway', 'journal', 'restore', file, '--json'], { env: { OPENCLAW_STATE_DIR: restoredDir } });
    expect(restore.code).toBe(0);
    expect(JSON.parse(restore.stdout)).toMatchObject({ ok: true, keptAs: null, gatewaySeq: taken.gatewaySeq, stateVersion: taken.stateVersion });

    const restored = await start(restoredDir);
    const { client: next, hello } = await connect(restored);
    const snapshot = hello.snapshot as { stateVersion: { presence: number; health: number } };
    expect(snapshot.stateVersion.presence).toBeGreaterThan(taken.stateVersion.presence);
    expect(snapshot.stateVersion.health).toBeGreaterThanOrEqual(taken.stateVersion.health);
    const replay = await next.call('events.replay', { afterSeq: taken.gatewaySeq - 1, limit: 5 });
    const events = (replay.payload as { events: Array<{ seq: number; event: string }> }).events;
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => taken.gatewaySeq + i));
    expect(events.length).toBeGreaterThanOrEqual(2); // the backup's last event, then the new boot's
    expect(events[1]?.event).toBe('presence');
  }, 90_000); // eight CLI and gateway processes start one after another
});
