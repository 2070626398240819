import { describe, expect, it } from 'vitest';
import { createActor, initialTransition, transition, SimulatedClock } from 'xstate';
import { connectionMachine, type ConnectionInput } from '../../machines/connection.js';

const input = (overrides: Partial<ConnectionInput> = {}): ConnectionInput => ({
  connId: 'c1',
  nonce: 'n1',
  now: 1000,
  auth: { mode: 'token', secret: 'secret-token' },
  handshakeTimeoutMs: 15_000,
  ...overrides,
});

const req = (method: string, params?: unknown, id = 'r1') => ({ type: 'req', id, method, ...(params === undefined ? {} : { params }) });
const connect = (overrides: Record<string, unknown> = {}) =>
  req('connect', {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: 'cli', version: '1', platform: 'linux', mode: 'cli' },
    scopes: ['operator.read'],
    auth: { token: 'secret-token' },
    ...overrides,
  }, 'c-1');
const TRACKED = { id: 'test', version: '1', platform: 'linux', mode: 'test' };
const received = (data: unknown, bytes = 100) => ({ type: 'frame.received' as const, data, bytes });

function start() {
  return initialTransition(connectionMachine, input());
}

function readySnapshot(scopes: string[] = ['operator.read']) {
  const [s0] = start();
  const [s1] = transition(connectionMachine, s0, received(connect({ scopes })));
  const [s2] = transition(connectionMachine, s1, { type: 'xstate.done.actor.0.connection.admitting', output: undefined } as never);
  return s2;
}

describe('connection machine: handshake', () => {
  it('sends the challenge first', () => {
    const [s0, actions] = start();
    expect(s0.value).toBe('awaitingConnect');
    expect(actions).toContainEqual(expect.objectContaining({ type: 'sendChallenge', params: { nonce: 'n1', ts: 1000 } }));
  });

  it('closes with 1008 when the first request is not connect', () => {
    const [s0] = start();
    const [s1, actions] = transition(connectionMachine, s0, received(req('health')));
    expect(s1.value).toBe('closing');
    expect(actions).toContainEqual(expect.objectContaining({
      type: 'sendFrame',
      params: { frame: { type: 'res', id: 'r1', ok: false, error: { code: 'INVALID_REQUEST', message: 'invalid handshake: first request must be connect' } } },
    }));
    expect(actions).toContainEqual(expect.objectContaining({
      type: 'closeSocket', params: { code: 1008, reason: 'invalid handshake: first request must be connect' },
    }));
  });

  it('closes with 1000 and no response when the first frame is not JSON', () => {
    const [s0] = start();
    const [s1, actions] = transition(connectionMachine, s0, received(undefined));
    expect(s1.value).toBe('closing');
    expect(actions.some((a) => a.type === 'sendFrame')).toBe(false);
    expect(actions).toContainEqual(expect.objectContaining({ type: 'closeSocket', params: { code: 1000, reason: '' } }));
  });

  it('closes with 1009 when a pre-auth frame is over 64 KiB', () => {
    const [s0] = start();
    const [, actions] = transition(connectionMachine, s0, received(connect(), 65_537));
    expect(actions).toContainEqual(expect.objectContaining({ type: 'closeSocket', params: { code: 1009, reason: 'preauth payload too large' } }));
  });

  it('refuses a wrong token with AUTH_TOKEN_MISMATCH and 1008', () => {
    const [s0] = start();
    const [s1, actions] = transition(connectionMachine, s0, received(connect({ auth: { token: 'nope' } })));
    expect(s1.value).toBe('closing');
    const sent = actions.find((a) => a.type === 'sendFrame') as { params: { frame: { error: { code: string; details: { code: string } } } } };
    expect(sent.params.frame.error.code).toBe('INVALID_REQUEST');
    expect(sent.params.frame.error.details.code).toBe('AUTH_TOKEN_MISMATCH');
    expect(actions).toContainEqual(expect.objectContaining({ type: 'closeSocket', params: expect.objectContaining({ code: 1008 }) }));
  });

  it('accepts the shared secret in auth.password too', () => {
    const [s0] = start();
    const [s1] = transition(connectionMachine, s0, received(connect({ auth: { password: 'secret-token' } })));
    expect(s1.value).toBe('ready');
  });

  it('sends hello-ok at once to an untracked (cli) client: no presence row to journal first', () => {
    const [s0] = start();
    const [s1, actions] = transition(connectionMachine, s0, received(connect()));
    expect(s1.value).toBe('ready');
    expect(actions).toContainEqual(expect.objectContaining({ type: 'sendHello', params: expect.objectContaining({ requestId: 'c-1' }) }));
  });

  it('journals a tracked client before hello-ok', () => {
    const [s0] = start();
    const [s1, actions] = transition(connectionMachine, s0, received(connect({ client: TRACKED })));
    expect(s1.value).toBe('admitting');
    expect(actions.some((a) => a.type === 'sendHello')).toBe(false);
  });

  it('rejects an operator asking for protocol 3 with 1002', () => {
    const [s0] = start();
    const [, actions] = transition(connectionMachine, s0, received(connect({ minProtocol: 3, maxProtocol: 3 })));
    expect(actions).toContainEqual(expect.objectContaining({ type: 'closeSocket', params: { code: 1002, reason: 'protocol mismatch' } }));
  });

  it('lets a probe client in with protocol 3–4', () => {
    const [s0] = start();
    const [s1] = transition(connectionMachine, s0, received(connect({ minProtocol: 3, maxProtocol: 4, client: { id: 'cli', version: 'dev', platform: 'linux', mode: 'probe' } })));
    expect(s1.value).toBe('ready');
    expect(s1.context.admission?.presenceKey).toBeNull();
  });

  it('closes after the handshake timeout with 1000', () => {
    const clock = new SimulatedClock();
    const closed: unknown[] = [];
    const actor = createActor(
      connectionMachine.provide({
        actions: { sendChallenge: () => undefined, closeSocket: (_, params) => closed.push(params) },
      }),
      { input: input({ handshakeTimeoutMs: 300 }), clock },
    ).start();
    clock.increment(299);
    expect(closed).toEqual([]);
    clock.increment(1);
    expect(closed).toEqual([{ code: 1000, reason: '' }]);
    expect(actor.getSnapshot().value).toBe('closing');
  });

  it('queues requests that arrive while connect is being admitted', () => {
    const [s0] = start();
    const [s1] = transition(connectionMachine, s0, received(connect({ client: TRACKED })));
    const [s2] = transition(connectionMachine, s1, received(req('health', undefined, 'early')));
    expect(s2.context.pending).toHaveLength(1);
  });
});

describe('connection machine: requests', () => {
  it('sends hello-ok and replays early requests when admission is journaled', () => {
    const [s0] = start();
    const [s1] = transition(connectionMachine, s0, received(connect({ client: TRACKED })));
    const [s2] = transition(connectionMachine, s1, received(req('health', undefined, 'early')));
    const [s3, actions] = transition(connectionMachine, s2, { type: 'xstate.done.actor.0.connection.admitting', output: undefined } as never);
    expect(s3.value).toBe('ready');
    expect(actions.map((a) => a.type)).toEqual(expect.arrayContaining(['sendHello', 'dispatchRequest']));
    expect(s3.context.pending).toEqual([]);
  });

  it('treats a missing params field as {}', () => {
    const [, actions] = transition(connectionMachine, readySnapshot(), received(req('health')));
    expect(actions).toContainEqual(expect.objectContaining({ type: 'dispatchRequest', params: expect.objectContaining({ method: 'health', params: {} }) }));
  });

  it('answers an unknown method with INVALID_REQUEST', () => {
    const [, actions] = transition(connectionMachine, readySnapshot(), received(req('nope.nothing')));
    expect(actions).toContainEqual(expect.objectContaining({
      type: 'sendFrame',
      params: { frame: { type: 'res', id: 'r1', ok: false, error: { code: 'INVALID_REQUEST', message: 'unknown method: nope.nothing' } } },
    }));
  });

  it('answers a missing scope with FORBIDDEN and MISSING_SCOPE details', () => {
    const [, actions] = transition(connectionMachine, readySnapshot(['operator.read']), received(req('system-event', { text: 'x' })));
    expect(actions).toContainEqual(expect.objectContaining({
      type: 'sendFrame',
      params: {
        frame: {
          type: 'res', id: 'r1', ok: false,
          error: { code: 'FORBIDDEN', message: 'missing scope: operator.admin', details: { code: 'MISSING_SCOPE', missingScope: 'operator.admin', requiredScopes: ['operator.admin'] } },
        },
      },
    }));
  });

  it('lets operator.write satisfy operator.read', () => {
    const [, actions] = transition(connectionMachine, readySnapshot(['operator.write']), received(req('system-presence')));
    expect(actions.some((a) => a.type === 'dispatchRequest')).toBe(true);
  });

  it('refuses a second connect and stays open', () => {
    const [s1, actions] = transition(connectionMachine, readySnapshot(), received(connect()));
    expect(s1.value).toBe('ready');
    expect(actions).toContainEqual(expect.objectContaining({
      type: 'sendFrame',
      params: { frame: expect.objectContaining({ error: { code: 'INVALID_REQUEST', message: 'connect is only valid as the first request' } }) },
    }));
  });

  it('rejects params with unknown properties', () => {
    const [, actions] = transition(connectionMachine, readySnapshot(), received(req('health', { bogus: 1 })));
    expect(actions).toContainEqual(expect.objectContaining({
      type: 'sendFrame',
      params: { frame: expect.objectContaining({ error: { code: 'INVALID_REQUEST', message: "invalid health params: at root: unexpected property 'bogus'" } }) },
    }));
  });

  it('ignores an unparsable frame after the handshake', () => {
    const [s1, actions] = transition(connectionMachine, readySnapshot(), received(undefined));
    expect(s1.value).toBe('ready');
    expect(actions.filter((a) => a.type === 'sendFrame' || a.type === 'closeSocket')).toEqual([]);
  });

  it('closes a slow consumer with 1008', () => {
    const [s1, actions] = transition(connectionMachine, readySnapshot(), { type: 'consumer.slow' });
    expect(s1.value).toBe('closing');
    expect(actions).toContainEqual(expect.objectContaining({ type: 'closeSocket', params: { code: 1008, reason: 'slow consumer' } }));
  });

  it('closes with 1012 when the gateway stops', () => {
    const [, actions] = transition(connectionMachine, readySnapshot(), { type: 'gateway.stopping' });
    expect(actions).toContainEqual(expect.objectContaining({ type: 'closeSocket', params: { code: 1012, reason: 'service restart' } }));
  });

  it('records a disconnect only for tracked clients', () => {
    const [tracked] = transition(connectionMachine, start()[0], received(connect({ client: TRACKED })));
    const [ready] = transition(connectionMachine, tracked, { type: 'xstate.done.actor.0.connection.admitting', output: undefined } as never);
    const [closed, actions] = transition(connectionMachine, ready, { type: 'socket.closed', code: 1000, reason: '' });
    expect(closed.status).toBe('done');
    expect(actions).toContainEqual(expect.objectContaining({ type: 'recordDisconnect', params: { presenceKey: 'conn:c1' } }));
    const [, cliActions] = transition(connectionMachine, readySnapshot(), { type: 'socket.closed', code: 1000, reason: '' });
    expect(cliActions.some((a) => a.type === 'recordDisconnect')).toBe(false);
  });
});
