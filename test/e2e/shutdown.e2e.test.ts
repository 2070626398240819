/**
 * Graceful stop (PROTOCOL.md §3.3, §6, §10.2): on SIGTERM every client gets a `shutdown` event,
 * then close 1012 "service restart"; the process exits 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { spawnCli, type Daemon } from '../helpers/cli-process.js';
import { ClientPool, TEST_CLIENT } from '../helpers/client-pool.js';

/** Start/SIGTERM rounds of the readiness race test. */
const ATTEMPTS = 8;

let gateway: GatewayProcess | undefined;
let stateDir: string | undefined;
const daemons: Daemon[] = [];
const pool = new ClientPool(() => gateway?.url ?? '');

afterEach(async () => {
  pool.closeAll();
  await gateway?.stop('SIGKILL');
  gateway?.cleanup();
  gateway = undefined;
  for (const daemon of daemons.splice(0)) await daemon.stop('SIGKILL');
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  stateDir = undefined;
});

describe('shutdown', () => {
  it('sends shutdown {reason} to every client, closes them with 1012 "service restart" and exits 0', async () => {
    gateway = await startGatewayProcess();
    const { client: admin } = await pool.connect();
    const { client: scopeless } = await pool.connect({ scopes: [] });
    const { client: tracked } = await pool.connect({ client: { ...TEST_CLIENT, instanceId: 'shutdown-tracked' }, scopes: ['operator.read'] });
    const clients = [admin, scopeless, tracked];
    // The tracked client's connect is a presence event for the two earlier sockets; wait for it,
    // so nothing but the shutdown is still on its way.
    await admin.seen((f) => f.event === 'presence');
    await scopeless.seen((f) => f.event === 'presence');

    const exited = gateway.stop('SIGTERM');
    const closes = await Promise.all(clients.map((c) => c.waitClosed(10_000)));
    for (const close of closes) expect(close).toEqual({ code: 1012, reason: 'service restart' });
    for (const client of clients) {
      const shutdowns = client.events('shutdown');
      expect(shutdowns).toEqual([{ type: 'event', event: 'shutdown', payload: { reason: 'gateway stopping' }, seq: expect.any(Number) }]);
      // The shutdown event is the last frame before the close, and continues the socket's seq.
      expect(client.log.at(-1)).toBe(shutdowns[0]);
      const seqs = client.events().filter((f) => f.seq !== undefined).map((f) => f.seq as number);
      expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i));
    }
    expect(new Set(clients.map((c) => c.events('shutdown')[0]?.seq)).size).toBe(1);
    expect(await exited).toEqual({ code: 0, signal: null });
  });

  it('exits 0 on a SIGTERM sent as soon as it says it is listening (handlers installed before readiness)', async () => {
    // A supervisor may signal the moment the process reports readiness. The window is narrow,
    // so try a few times: every attempt must be a graceful stop.
    const attempts: Array<{ code: number | null; signal: NodeJS.Signals | null }> = [];
    stateDir = mkdtempSync(join(tmpdir(), 'openclaw-test-'));
    for (let i = 0; i < ATTEMPTS; i += 1) {
      const port = await freePort();
      // A fresh state dir per attempt: first starts do the most work around the listening line.
      const daemon = spawnCli(['gateway', '--port', String(port), '--token', 'tok'], { OPENCLAW_STATE_DIR: join(stateDir, `attempt-${i}`) });
      daemons.push(daemon);
      let signalled = false;
      daemon.child.stdout?.on('data', () => {
        if (signalled || !/listening on ws:\/\//.test(daemon.output())) return;
        signalled = true;
        daemon.child.kill('SIGTERM');
      });
      attempts.push(await daemon.exited);
    }
    expect(attempts).toEqual(Array.from({ length: ATTEMPTS }, () => ({ code: 0, signal: null })));
  }, ATTEMPTS * 15_000); // each start is bounded like any other (15 s); a busy machine takes seconds per start

  it('also stops gracefully on SIGINT', async () => {
    gateway = await startGatewayProcess();
    const { client } = await pool.connect();
    const exited = gateway.stop('SIGINT');
    expect(await client.waitClosed(10_000)).toEqual({ code: 1012, reason: 'service restart' });
    expect(client.events('shutdown')).toHaveLength(1);
    expect(await exited).toEqual({ code: 0, signal: null });
  });
});
