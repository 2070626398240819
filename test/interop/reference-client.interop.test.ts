import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { connectClient, type RawClient } from '../helpers/raw-client.js';
import {
  importReferenceClient,
  OFFICIAL_HOOK_TIMEOUT_MS,
  type ReferenceClient,
  type ReferenceClientModule,
  type ReferenceClientOptions,
} from '../helpers/official.js';

/**
 * The official reference client `@openclaw/gateway-client` is the oracle: it does the challenge
 * handshake, correlates requests and detects forward `seq` gaps (`onGap`). Our gateway must look,
 * to it, exactly like the product.
 */

const TICK_INTERVAL_MS = 200;

type EventFrame = Parameters<NonNullable<ReferenceClientOptions['onEvent']>>[0];

interface PresencePayload {
  presence: Array<{ text?: string }>;
}

/** A reference client plus everything its callbacks reported. */
interface Observed {
  readonly client: ReferenceClient;
  readonly hello: Promise<Record<string, unknown>>;
  readonly events: EventFrame[];
  readonly gaps: Array<{ expected: number; received: number }>;
  readonly closes: Array<{ code: number; reason: string }>;
  /** Resolves once an event satisfies `predicate` (already received ones count). */
  waitForEvent(predicate: (event: EventFrame) => boolean, timeoutMs?: number): Promise<EventFrame>;
}

let gateway: GatewayProcess;
let reference: ReferenceClientModule;
const started: Observed[] = [];
const raws: RawClient[] = [];

function startReference(options: Partial<ReferenceClientOptions> = {}): Observed {
  const events: EventFrame[] = [];
  const gaps: Observed['gaps'] = [];
  const closes: Observed['closes'] = [];
  const waiters: Array<() => void> = [];
  let resolveHello!: (hello: Record<string, unknown>) => void;
  let rejectHello!: (error: Error) => void;
  const hello = new Promise<Record<string, unknown>>((resolve, reject) => {
    resolveHello = resolve;
    rejectHello = reject;
  });
  const client = new reference.GatewayClient({
    url: gateway.url,
    token: gateway.token,
    minProtocol: 4,
    maxProtocol: 4,
    ...options,
    onHelloOk: (payload) => resolveHello(payload),
    onConnectError: (error) => rejectHello(error),
    onEvent: (event) => {
      events.push(event);
      for (const wake of waiters.splice(0)) wake();
    },
    onGap: (info) => gaps.push(info),
    onClose: (code, reason) => closes.push({ code, reason }),
  });
  const observed: Observed = {
    client,
    hello,
    events,
    gaps,
    closes,
    async waitForEvent(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(predicate);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => [e.event, e.seq]))}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
  };
  started.push(observed);
  client.start();
  return observed;
}

/** An admin operator on a raw socket: the "other connection" that journals beacons. */
async function beaconSender(): Promise<RawClient> {
  const { client } = await connectClient(gateway.url, {}, gateway.token);
  raws.push(client);
  return client;
}

async function systemEvent(sender: RawClient, text: string): Promise<void> {
  const res = await sender.response(sender.request('system-event', { text }));
  expect(res).toMatchObject({ type: 'res', ok: true, payload: { ok: true } });
}

const hasBeacon = (text: string) => (event: EventFrame): boolean =>
  event.event === 'presence' && (event.payload as PresencePayload).presence.some((row) => row.text === text);

beforeAll(async () => {
  reference = await importReferenceClient();
  gateway = await startGatewayProcess({ env: { OPENCLAW_TICK_INTERVAL_MS: String(TICK_INTERVAL_MS) } });
}, OFFICIAL_HOOK_TIMEOUT_MS);

afterEach(async () => {
  await Promise.all(started.splice(0).map((observed) => observed.client.stopAndWait({ timeoutMs: 2000 })));
  for (const raw of raws.splice(0)) raw.close();
});

afterAll(async () => {
  await gateway?.stop();
  gateway?.cleanup();
});

describe('reference client @openclaw/gateway-client against our gateway', () => {
  it('completes the challenge handshake with the token and gets hello-ok', async () => {
    const observed = startReference();
    const hello = await observed.hello;
    expect(hello).toMatchObject({
      type: 'hello-ok',
      protocol: 4,
      // The reference client connects as gateway-client/backend asking for operator.admin.
      auth: { role: 'operator', scopes: ['operator.admin'] },
      policy: { tickIntervalMs: TICK_INTERVAL_MS, maxPayload: 26_214_400, maxBufferedBytes: 52_428_800 },
    });
    expect(observed.closes).toEqual([]);
  });

  it('sees every presence broadcast with consecutive seqs and never reports a gap', async () => {
    const observed = startReference();
    await observed.hello;
    const sender = await beaconSender();
    const texts = Array.from({ length: 8 }, (_, i) => `reference beacon ${i + 1}`);
    for (const text of texts) await systemEvent(sender, text);
    await observed.waitForEvent(hasBeacon(texts.at(-1) as string));

    const sequenced = observed.events.filter((event) => typeof event.seq === 'number');
    const seqs = sequenced.map((event) => event.seq as number);
    const presence = sequenced.filter((event) => event.event === 'presence');
    for (const text of texts) expect(presence.some(hasBeacon(text)), `presence event carrying "${text}"`).toBe(true);
    expect(presence.length).toBeGreaterThanOrEqual(texts.length);
    expect(seqs, `seqs ${JSON.stringify(seqs)}`).toEqual(seqs.map((_, i) => (seqs[0] as number) + i));
    const versions = presence.map((event) => (event.stateVersion as { presence: number }).presence);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(observed.gaps).toEqual([]);
    expect(observed.closes).toEqual([]);
  });

  it('never reports a gap to a scope-less client either (presence is filtered, not skipped)', async () => {
    const observed = startReference({ scopes: [] });
    const hello = await observed.hello;
    expect(hello).toMatchObject({ auth: { role: 'operator', scopes: [] }, snapshot: { presence: [] } });
    const sender = await beaconSender();
    for (let i = 1; i <= 4; i++) await systemEvent(sender, `hidden beacon ${i}`);
    const reader = startReference({ scopes: ['operator.read'] });
    await reader.hello;
    await systemEvent(sender, 'last hidden beacon');
    await reader.waitForEvent(hasBeacon('last hidden beacon'));
    const last = reader.events.find(hasBeacon('last hidden beacon'));
    await observed.waitForEvent((event) => event.seq === last?.seq);

    const seqs = observed.events.filter((event) => typeof event.seq === 'number').map((event) => event.seq as number);
    expect(seqs.length).toBeGreaterThanOrEqual(5);
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i));
    for (const event of observed.events.filter((e) => e.event === 'presence')) expect((event.payload as PresencePayload).presence).toEqual([]);
    expect(observed.gaps).toEqual([]);
    expect(reader.gaps).toEqual([]);
  });

  it('receives ticks (no seq) at the advertised interval and stays connected', async () => {
    const observed = startReference();
    await observed.hello;
    const first = await observed.waitForEvent((event) => event.event === 'tick', 30_000);
    const firstIndex = observed.events.indexOf(first);
    await observed.waitForEvent((event) => event.event === 'tick' && observed.events.indexOf(event) > firstIndex, 30_000);
    for (const tick of observed.events.filter((event) => event.event === 'tick')) {
      expect(tick.seq).toBeUndefined();
      expect(typeof (tick.payload as { ts: unknown }).ts).toBe('number');
    }
    expect(observed.gaps).toEqual([]);
    expect(observed.closes).toEqual([]);
  });

  it('resolves request() with our payloads and rejects with our wire error code', async () => {
    const observed = startReference();
    await observed.hello;
    const roster = await observed.client.request<Array<{ mode?: string; reason?: string }>>('system-presence', {});
    expect(roster[0]).toMatchObject({ mode: 'gateway', reason: 'self' });
    const agents = await observed.client.request('agents.list', {});
    expect(agents).toMatchObject({ defaultId: 'main', agents: [{ id: 'main' }] });
    await expect(observed.client.request('no.such.method', {})).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      gatewayCode: 'INVALID_REQUEST',
      message: 'unknown method: no.such.method',
    });
    expect(observed.closes).toEqual([]);
  });
});
