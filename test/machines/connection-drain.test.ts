/** Requests during the drain (issue 12, "What a new user hits" 10): answered SHUTTING_DOWN, never silence. */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { connectionMachine } from '../../machines/connection.js';

const req = (method: string, params?: unknown, id = 'r1') => ({ type: 'req', id, method, ...(params === undefined ? {} : { params }) });
const received = (data: unknown) => ({ type: 'frame.received' as const, data, bytes: 100 });

function drainingSnapshot() {
  const [s0] = initialTransition(connectionMachine, { connId: 'c1', nonce: 'n1', now: 1000, auth: { mode: 'token', secret: 's' }, handshakeTimeoutMs: 15_000 });
  const hello = req('connect', { minProtocol: 4, maxProtocol: 4, client: { id: 'cli', version: '1', platform: 'linux', mode: 'cli' }, scopes: ['operator.read'], auth: { token: 's' } }, 'c-1');
  const [s1] = transition(connectionMachine, s0, received(hello));
  const [ready] = transition(connectionMachine, s1, { type: 'xstate.done.actor.0.connection.admitting', output: undefined } as never);
  expect(ready.value).toBe('ready');
  const [draining, actions] = transition(connectionMachine, ready, { type: 'gateway.draining' });
  expect(actions).toEqual([]);
  return draining;
}

describe('connection machine: draining', () => {
  it('answers a request UNAVAILABLE with details.code SHUTTING_DOWN, retryable, and dispatches nothing', () => {
    const [s, actions] = transition(connectionMachine, drainingSnapshot(), received(req('health', undefined, 'late-1')));
    expect(s.value).toBe('draining');
    expect(actions).toEqual([
      expect.objectContaining({
        type: 'sendFrame',
        params: {
          frame: {
            type: 'res', id: 'late-1', ok: false,
            error: { code: 'UNAVAILABLE', message: 'gateway is shutting down', details: { code: 'SHUTTING_DOWN' }, retryable: true },
          },
        },
      }),
    ]);
  });

  it('keeps the routing answer when it is already an error (unknown method)', () => {
    const [, actions] = transition(connectionMachine, drainingSnapshot(), received(req('nope.nothing')));
    expect(actions).toEqual([expect.objectContaining({ type: 'sendFrame', params: { frame: expect.objectContaining({ error: expect.objectContaining({ message: 'unknown method: nope.nothing' }) }) } })]);
  });

  it('closes with 1012 on gateway.stopping', () => {
    const [s, actions] = transition(connectionMachine, drainingSnapshot(), { type: 'gateway.stopping' });
    expect(s.value).toBe('closing');
    expect(actions).toContainEqual(expect.objectContaining({ type: 'closeSocket', params: { code: 1012, reason: 'service restart' } }));
  });
});
