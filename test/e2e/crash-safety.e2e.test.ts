/**
 * Crash safety ("never ack what is not journaled", STYLE.md §1.5): kill -9 the gateway while a
 * stream of system-event calls is in flight; after a restart on the same state dir, every call
 * that was answered `ok:true` is in `openclaw gateway journal export`, and seq/stateVersion continue.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { presenceVersion, useRestartableGateway } from '../helpers/restartable-gateway.js';
import { jsonLines, runCli } from '../helpers/cli-process.js';

const CALLS = 200;
/** Kill once this many calls were acknowledged, so the rest are still in flight. */
const KILL_AFTER_ACKS = 60;
/** Calls outstanding at once. */
const WINDOW = 40;

const { pool, start, freshStateDir } = useRestartableGateway();

describe('crash safety', () => {
  it('keeps every acknowledged system-event across kill -9, and seq/stateVersion continue', async () => {
    const stateDir = freshStateDir();
    const first = await start(stateDir);
    const { client } = await pool.connect();

    const runId = randomUUID();
    const textOf = (i: number) => `crash ${runId} #${i}`;
    const idOf = (i: number) => `crash-${i}`;
    const textById = new Map(Array.from({ length: CALLS }, (_, i) => [idOf(i), textOf(i)] as const));
    // Pipelined with up to WINDOW calls outstanding, so some are in flight whenever the kill lands.
    let killed = false;
    const sending = (async () => {
      for (let i = 0; i < CALLS && !killed && client.closed === null; i += 1) {
        if (i >= WINDOW) await client.seen((f) => f.type === 'res' && f.id === idOf(i - WINDOW), 10_000).catch(() => undefined);
        if (killed || client.closed !== null) break;
        client.send({ type: 'req', id: idOf(i), method: 'system-event', params: { text: textOf(i) } });
      }
    })();
    await client.seen((f) => f.type === 'res' && f.id === idOf(KILL_AFTER_ACKS - 1), 10_000);
    killed = true;
    expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    await sending;
    await client.waitClosed(5000);

    const responses = client.log.filter((f) => f.type === 'res' && textById.has(f.id as string));
    expect(responses.filter((f) => f.ok !== true)).toEqual([]);
    const acked = responses.map((f) => textById.get(f.id as string) as string);
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    const seenBefore = client.events().filter((f) => f.seq !== undefined);
    const lastSeqBefore = Math.max(...seenBefore.map((f) => f.seq as number));
    const lastPresenceBefore = Math.max(...client.events('presence').map(presenceVersion));

    await start(stateDir);
    const exported = await runCli(['gateway', 'journal', 'export'], { env: { OPENCLAW_STATE_DIR: stateDir } });
    expect(exported.code).toBe(0);
    const facts = jsonLines(exported.stdout);
    const beaconTexts = new Set(
      facts.filter((f) => f.type === 'presence.beaconed').map((f) => (f.data as { entry: { text: string } }).entry.text),
    );
    const queuedTexts = new Set(facts.filter((f) => f.type === 'system.event.queued').map((f) => (f.data as { text: string }).text));
    expect(acked.filter((text) => !beaconTexts.has(text))).toEqual([]);
    expect(acked.filter((text) => !queuedTexts.has(text))).toEqual([]);
    // Global seq in the export is strictly increasing; each stream's positions are dense.
    const seqs = facts.map((f) => f.seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const gatewayPositions = facts.filter((f) => f.stream === 'gateway').map((f) => f.position as number);
    expect(gatewayPositions).toEqual(gatewayPositions.map((_, i) => i + 1));

    // After the restart, events continue past everything the crashed process broadcast.
    const { client: after, hello } = await pool.connect();
    expect(hello.snapshot.stateVersion.presence).toBeGreaterThan(lastPresenceBefore);
    const text = `after crash ${runId}`;
    expect(await after.call('system-event', { text })).toMatchObject({ ok: true });
    const event = await after.seen(
      (f) => f.event === 'presence' && (f.payload as { presence: Array<{ text?: string }> }).presence.some((r) => r.text === text),
    );
    expect(event.seq as number).toBeGreaterThan(lastSeqBefore);
    expect(presenceVersion(event)).toBe(hello.snapshot.stateVersion.presence + 1);
  });
});
