import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { connectClient } from '../helpers/raw-client.js';

// A socket that stops reading fills its send buffer; past policy.maxBufferedBytes droppable events
// (presence) are skipped for it and the next non-droppable one (tick) closes it with 1008.
describe('slow consumers', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await startGatewayProcess({ env: { OPENCLAW_MAX_BUFFERED_BYTES: '65536', OPENCLAW_TICK_INTERVAL_MS: '100' } });
  });
  afterAll(async () => {
    await gateway.stop();
    gateway.cleanup();
  });

  it('closes a socket that stopped reading with 1008 "slow consumer", and keeps serving the others', async () => {
    const { client: slow, hello } = await connectClient(gateway.url);
    expect((hello.policy as { maxBufferedBytes: number }).maxBufferedBytes).toBe(65536);
    const { client: admin } = await connectClient(gateway.url);
    ((slow.ws as unknown as { _socket: Socket })._socket).pause();
    const padding = 'x'.repeat(2000);
    // Big rosters: 150 beacons with long texts make every presence event ~300 KB.
    for (let round = 0; round < 150 && !slow.closed; round += 1) {
      const id = admin.request('system-event', { text: `beacon ${round} ${padding}`, instanceId: `slow-${round}` });
      await admin.response(id, 10_000);
    }
    ((slow.ws as unknown as { _socket: Socket })._socket).resume();
    const closed = await slow.waitClosed(15_000);
    expect(closed).toEqual({ code: 1008, reason: 'slow consumer' });
    const id = admin.request('health');
    expect((await admin.response(id)).ok).toBe(true);
    admin.close();
  }, 60_000);
});
