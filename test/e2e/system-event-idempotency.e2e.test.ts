import { describe, expect, it } from 'vitest';
import { useSharedGateway } from '../helpers/shared-gateway.js';
import { runCli } from '../helpers/cli-process.js';

const { gateway, pool } = useSharedGateway();

/** Facts of the journal, read back with `openclaw gateway journal export`. */
async function journalFacts(): Promise<Array<{ stream: string; type: string; data: Record<string, unknown> }>> {
  const result = await runCli(['gateway', 'journal', 'export'], { env: { OPENCLAW_STATE_DIR: gateway.stateDir } });
  expect(result.code).toBe(0);
  return result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { stream: string; type: string; data: Record<string, unknown> });
}

describe('system-event idempotency', () => {
  it('journals a key once: a pipelined duplicate and a later retry answer ok and change nothing', async () => {
    const { client } = await pool.connect();
    const params = { text: 'deploy finished', instanceId: 'ci-runner', idempotencyKey: 'deploy-42' };
    const first = client.request('system-event', params);
    const pipelined = client.request('system-event', params);
    expect((await client.response(first)).ok).toBe(true);
    expect((await client.response(pipelined)).ok).toBe(true);
    expect((await client.call('system-event', params)).ok).toBe(true);
    expect((await client.call('system-event', { ...params, idempotencyKey: 'deploy-43' })).ok).toBe(true);

    const facts = await journalFacts();
    const queued = facts.filter((f) => f.type === 'system.event.queued' && f.data.text === 'deploy finished');
    expect(queued.map((f) => f.data.idempotencyKey)).toEqual(['deploy-42', 'deploy-43']);
    const beacons = facts.filter((f) => f.type === 'presence.beaconed' && (f.data.entry as { text?: string }).text === 'deploy finished');
    expect(beacons).toHaveLength(2);
  });
});
