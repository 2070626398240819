/**
 * The seed methods over a real socket (PROTOCOL.md §1.1, §5.1–5.4, §5.15, §5.16): payload shapes,
 * absent params, unknown methods and params, scope checks, and frames the router ignores.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useSharedGateway } from '../helpers/shared-gateway.js';
import type { Frame } from '../helpers/raw-client.js';

const { gateway, pool } = useSharedGateway();

const admin = () => pool.connect();
const readOnly = () => pool.connect({ scopes: ['operator.read'] });
const okPayload = (res: Frame): unknown => {
  expect(res).toMatchObject({ type: 'res', ok: true });
  return res.payload;
};

describe('methods', () => {
  it('health answers the health snapshot', async () => {
    const { client } = await admin();
    const payload = okPayload(await client.call('health')) as Record<string, unknown>;
    expect(payload).toMatchObject({
      ok: true,
      ts: expect.any(Number),
      durationMs: expect.any(Number),
      channels: {},
      channelOrder: [],
      defaultAgentId: 'main',
      agents: [expect.objectContaining({ agentId: 'main', isDefault: true })],
      sessions: expect.objectContaining({ count: expect.any(Number), recent: expect.any(Array) }),
    });
  });

  it('health accepts {probe:true}', async () => {
    const { client } = await admin();
    expect(okPayload(await client.call('health', { probe: true }))).toMatchObject({ ok: true, defaultAgentId: 'main' });
  });

  it('status answers runtimeVersion and sessions.byAgent', async () => {
    const { client, hello } = await admin();
    const payload = okPayload(await client.call('status')) as Record<string, unknown>;
    expect(payload).toMatchObject({
      runtimeVersion: hello.server.version,
      sessions: { byAgent: [expect.objectContaining({ agentId: 'main', count: expect.any(Number), recent: expect.any(Array) })] },
      heartbeat: { defaultAgentId: 'main' },
      queuedSystemEvents: expect.any(Array),
    });
  });

  it('system-presence answers an array led by the gateway self entry (reason "self")', async () => {
    const { client } = await admin();
    const roster = okPayload(await client.call('system-presence')) as Array<Record<string, unknown>>;
    expect(Array.isArray(roster)).toBe(true);
    expect(roster[0]).toMatchObject({ mode: 'gateway', reason: 'self', ts: expect.any(Number), text: expect.stringMatching(/^Gateway: /) });
  });

  it('system-event answers {ok:true} and its beacon appears in the roster', async () => {
    const { client } = await admin();
    const text = `beacon ${randomUUID()}`;
    const instanceId = `inst-${randomUUID()}`;
    const res = await client.call('system-event', { text, instanceId, host: 'beacon-host', mode: 'ui', version: '9.9.9' });
    expect(res).toEqual({ type: 'res', id: res.id, ok: true, payload: { ok: true } });
    const roster = okPayload(await client.call('system-presence')) as Array<Record<string, unknown>>;
    expect(roster[0]).toMatchObject({ reason: 'self' });
    expect(roster).toContainEqual(expect.objectContaining({ text, instanceId, host: 'beacon-host', mode: 'ui', version: '9.9.9', ts: expect.any(Number) }));
  });

  it('system-event merges a second beacon with the same instanceId, keeping earlier fields', async () => {
    const { client } = await admin();
    const instanceId = `inst-${randomUUID()}`;
    okPayload(await client.call('system-event', { text: `first ${instanceId}`, instanceId, ip: '10.1.2.3', version: '1.0.0' }));
    okPayload(await client.call('system-event', { text: `second ${instanceId}`, instanceId }));
    const roster = okPayload(await client.call('system-presence')) as Array<Record<string, unknown>>;
    const rows = roster.filter((row) => row.instanceId === instanceId);
    expect(rows).toEqual([expect.objectContaining({ text: `second ${instanceId}`, ip: '10.1.2.3', version: '1.0.0' })]);
  });

  it('system-event with blank text answers INVALID_REQUEST "text required" (PROTOCOL.md §5.4)', async () => {
    const { client } = await admin();
    const res = await client.call('system-event', { text: '   ' });
    expect(res).toEqual({ type: 'res', id: res.id, ok: false, error: { code: 'INVALID_REQUEST', message: 'text required' } });
  });

  it('system-event needs operator.admin: FORBIDDEN with MISSING_SCOPE details for a read-only client', async () => {
    const { client, hello } = await readOnly();
    expect(hello.auth).toEqual({ role: 'operator', scopes: ['operator.read'] });
    const res = await client.call('system-event', { text: 'not allowed' });
    expect(res).toEqual({
      type: 'res',
      id: res.id,
      ok: false,
      error: {
        code: 'FORBIDDEN',
        message: 'missing scope: operator.admin',
        details: { code: 'MISSING_SCOPE', missingScope: 'operator.admin', requiredScopes: ['operator.admin'] },
      },
    });
    expect(client.closed).toBeNull();
  });

  it('wake needs operator.write: FORBIDDEN for a read-only client', async () => {
    const { client } = await readOnly();
    const res = await client.call('wake', { mode: 'now', text: 'hello' });
    expect(res).toEqual({
      type: 'res',
      id: res.id,
      ok: false,
      error: {
        code: 'FORBIDDEN',
        message: 'missing scope: operator.write',
        details: { code: 'MISSING_SCOPE', missingScope: 'operator.write', requiredScopes: ['operator.write'] },
      },
    });
  });

  it('last-heartbeat answers null before any heartbeat', async () => {
    const { client } = await readOnly();
    const res = await client.call('last-heartbeat');
    expect(res).toEqual({ type: 'res', id: res.id, ok: true, payload: null });
  });

  it('wake answers {ok:true} and queues the text on the main session', async () => {
    const { client } = await admin();
    const text = `wake ${randomUUID()}`;
    const res = await client.call('wake', { mode: 'now', text });
    expect(res).toEqual({ type: 'res', id: res.id, ok: true, payload: { ok: true } });
    const status = okPayload(await client.call('status')) as { queuedSystemEvents: string[] };
    expect(status.queuedSystemEvents).toContain(text);
  });

  it('wake without text answers INVALID_REQUEST "invalid wake params: …"', async () => {
    const { client } = await admin();
    const res = await client.call('wake', { mode: 'now' });
    expect(res).toEqual({
      type: 'res',
      id: res.id,
      ok: false,
      error: { code: 'INVALID_REQUEST', message: "invalid wake params: must have required property 'text'" },
    });
  });

  it('agents.list answers defaultId, mainKey, scope and the main agent', async () => {
    const { client } = await readOnly();
    const payload = okPayload(await client.call('agents.list', {}));
    expect(payload).toMatchObject({ defaultId: 'main', mainKey: 'main', scope: 'per-sender', agents: [expect.objectContaining({ id: 'main' })] });
    expect((payload as { agents: unknown[] }).agents).toHaveLength(1);
  });

  it.each(['health', 'status', 'system-presence', 'last-heartbeat', 'agents.list'])('treats a missing params field as {} (%s)', async (method) => {
    const { client } = await admin();
    const id = randomUUID();
    client.send({ type: 'req', id, method });
    expect(await client.response(id)).toMatchObject({ type: 'res', id, ok: true });
  });

  it('answers an unknown method with INVALID_REQUEST "unknown method: x" and keeps the socket open', async () => {
    const { client } = await admin();
    const res = await client.call('x', {});
    expect(res).toEqual({ type: 'res', id: res.id, ok: false, error: { code: 'INVALID_REQUEST', message: 'unknown method: x' } });
    expect(okPayload(await client.call('health'))).toMatchObject({ ok: true });
  });

  it.each([
    ['health', {}],
    ['status', {}],
    ['system-presence', {}],
    ['system-event', { text: 'hello' }],
    ['last-heartbeat', {}],
    ['agents.list', {}],
    ['events.replay', { afterSeq: 0 }],
  ])('answers an unknown params property of %s with INVALID_REQUEST "invalid <method> params: …"', async (method, valid) => {
    const { client } = await admin();
    const res = await client.call(method, { ...valid, bogus: 1 });
    expect(res).toEqual({
      type: 'res',
      id: res.id,
      ok: false,
      error: { code: 'INVALID_REQUEST', message: `invalid ${method} params: at root: unexpected property 'bogus'` },
    });
  });

  it('accepts extra properties on wake, whose official schema is open (additionalProperties: true)', async () => {
    const { client } = await admin();
    expect(okPayload(await client.call('wake', { mode: 'now', text: 'hello', futureField: 1 }))).toEqual({ ok: true });
    const res = await client.call('wake', { mode: 'later', text: 'hello' });
    expect(res).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect((res.error as { message: string }).message).toMatch(/^invalid wake params: at \/mode: /);
  });

  it('ignores an unparsable frame after the handshake and keeps the socket open', async () => {
    const { client } = await admin();
    client.send('this is { not json');
    const res = await client.call('health');
    expect(res).toMatchObject({ ok: true });
    expect(client.log.filter((f) => f.type === 'res' && f.id !== res.id)).toHaveLength(1); // only the connect response
    expect(client.closed).toBeNull();
  });

  it('answers a JSON frame that is not a request with INVALID_REQUEST "invalid request frame: …", echoing its id', async () => {
    const { client } = await admin();
    client.send({ type: 'req', id: 'no-method' });
    expect(await client.response('no-method')).toEqual({
      type: 'res',
      id: 'no-method',
      ok: false,
      error: { code: 'INVALID_REQUEST', message: "invalid request frame: must have required property 'method'" },
    });
    client.send({ hello: 1 });
    expect(await client.response('invalid')).toEqual({
      type: 'res',
      id: 'invalid',
      ok: false,
      error: { code: 'INVALID_REQUEST', message: "invalid request frame: must have required property 'type'" },
    });
    expect(client.closed).toBeNull();
  });

  it('answers pipelined requests each under its own id', async () => {
    const { client } = await admin();
    const ids = ['health', 'status', 'system-presence', 'last-heartbeat', 'agents.list'].map((method) => client.request(method));
    const responses = await Promise.all(ids.map((id) => client.seen((f) => f.type === 'res' && f.id === id)));
    expect(responses.map((r) => r.ok)).toEqual([true, true, true, true, true]);
  });
});

describe('scope-less operator', () => {
  it('gets FORBIDDEN missing scope: operator.read for read methods', async () => {
    const { client, hello } = await pool.connect({ scopes: [] });
    expect(hello.auth).toEqual({ role: 'operator', scopes: [] });
    const res = await client.call('system-presence');
    expect(res).toEqual({
      type: 'res',
      id: res.id,
      ok: false,
      error: {
        code: 'FORBIDDEN',
        message: 'missing scope: operator.read',
        details: { code: 'MISSING_SCOPE', missingScope: 'operator.read', requiredScopes: ['operator.read'] },
      },
    });
  });

  it('is satisfied by operator.write for read methods (write implies read)', async () => {
    const { client } = await pool.connect({ scopes: ['operator.write'] });
    expect(await client.call('health')).toMatchObject({ ok: true });
  });
});
