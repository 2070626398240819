import { describe, expect, it } from 'vitest';
import { useSharedGateway } from '../helpers/shared-gateway.js';
import { TEST_CLIENT } from '../helpers/client-pool.js';
import type { GatewayInspectResult } from '../../protocol/methods/inspect.js';

const { gateway, pool } = useSharedGateway();

const inspect = async (params: Record<string, number>): Promise<GatewayInspectResult> => {
  const { client } = await pool.connect();
  const res = await client.call('gateway.inspect', params);
  expect(res.ok).toBe(true);
  return res.payload as GatewayInspectResult;
};

describe('state-machine inspector (gateway.inspect)', () => {
  it('lists the supervisor and every connection actor with its current state', async () => {
    const { hello } = await pool.connect({ client: TEST_CLIENT });
    const result = await inspect({});
    expect(result.actors).toContainEqual({ id: 'gateway', machine: 'gateway', state: 'running', status: 'active' });
    expect(result.actors).toContainEqual({ id: `conn:${hello.server.connId}`, machine: 'connection', state: 'ready', status: 'active' });
  });

  it('records nothing until a watch is asked for, then the transitions of actors old and new', async () => {
    const idle = await inspect({});
    const before = idle.cursor;
    const { client: old } = await pool.connect();
    const quiet = await inspect({ since: before });
    expect(quiet.transitions).toEqual([]);

    const watching = await inspect({ watchMs: 10_000 });
    expect(watching.watchingUntil).toBeGreaterThan(Date.now());
    await old.call('health');
    const { hello } = await pool.connect({ client: TEST_CLIENT });
    const after = await inspect({ since: watching.cursor });
    const newcomer = after.transitions.filter((t) => t.actor === `conn:${hello.server.connId}`);
    expect(newcomer.map((t) => t.state)).toEqual(expect.arrayContaining(['awaitingConnect', 'admitting', 'ready']));
    expect(after.transitions.some((t) => t.event === 'frame.received' && t.machine === 'connection')).toBe(true);
    expect(after.cursor).toBeGreaterThan(watching.cursor);
  });

  it('shows agent-run actors and their transitions while watched', async () => {
    const watching = await inspect({ watchMs: 10_000 });
    const { client } = await pool.connect();
    const res = await client.call('agent', { message: 'hello inspector', idempotencyKey: 'inspect-run-1', sessionKey: 'main' });
    expect(res.ok).toBe(true);
    const deadline = Date.now() + 10_000;
    let seen: GatewayInspectResult = await inspect({ since: watching.cursor });
    while (!seen.transitions.some((t) => t.actor === 'run:inspect-run-1' && t.status === 'done') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      seen = await inspect({ since: watching.cursor });
    }
    const run = seen.transitions.filter((t) => t.actor === 'run:inspect-run-1');
    expect(run.map((t) => t.machine)).toContain('agentRun');
    expect(run.at(-1)?.status).toBe('done');
  });

  it('needs operator.admin', async () => {
    const { client } = await pool.connect({ scopes: ['operator.read'] });
    const res = await client.call('gateway.inspect', {});
    expect(res.error).toMatchObject({ code: 'FORBIDDEN', details: { code: 'MISSING_SCOPE', missingScope: 'operator.admin' } });
    expect(gateway.url).toMatch(/^ws:/);
  });
});
