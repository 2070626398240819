import { setup, assign, raise, enqueueActions, fromPromise } from 'xstate';
import type { EventFrame, ResponseFrame } from '../protocol/frames.js';
import { ERRORS } from '../protocol/errors.js';
import { MAX_PENDING_HANDSHAKE_FRAMES } from '../protocol/version.js';
import type { Role } from '../protocol/scopes.js';
import {
  decideConnect, routeRequest, type Admission, type AuthPolicy, type HandshakeDecision,
} from './connection-rules.js';
import { drainingResponse } from './drain-rules.js';
import type { SocketOrigin } from './browser-origin.js';

/*
 * One socket's life (PROTOCOL.md §2.1):
 *
 *   client                         connection machine                      journal
 *     | ---- WebSocket upgrade ---->  awaitingConnect: sendChallenge
 *     | <--- connect.challenge -----
 *     | ---- req connect ---------->  decideConnect ──reject──> res error + close (closing)
 *     |                               admitting: admitConnection ──────────> presence.connected
 *     |                               (cli/backend/probe clients have no row: straight to ready)
 *     | <--- res hello-ok ----------  ready (on admission done)
 *     | ---- req <method> --------->  routeRequest ──error──> res error
 *     |                                            └─dispatch──> handler (actors/) ──> res
 *     | ---- close ---------------->  closed: recordDisconnect ──────────────> presence.disconnected
 */

/** Input of one connection actor; randomness and time arrive here, decided by actors/. */
export interface ConnectionInput {
  readonly connId: string;
  readonly nonce: string;
  /** Challenge timestamp (ms). */
  readonly now: number;
  readonly auth: AuthPolicy;
  readonly handshakeTimeoutMs: number;
  /** The upgrade's Origin and the browser-origin policy (CONTROL-UI.md §3); absent: not checked. */
  readonly socketOrigin?: SocketOrigin;
}

export interface ConnectionContext extends ConnectionInput {
  readonly admission: Admission | null;
  /** Requests that arrived while `connect` was being admitted, replayed in order once ready. */
  readonly pending: ReadonlyArray<{ data: unknown; bytes: number }>;
}

export type ConnectionEvent =
  /** A frame arrived; `data` is the parsed JSON or undefined when it was not JSON. */
  | { type: 'frame.received'; data: unknown; bytes: number; /** Set while the auth rate limit locks this client out. */ authRetryAfterMs?: number }
  | { type: 'socket.closed'; code: number; reason: string }
  | { type: 'gateway.stopping' }
  /** The gateway announced its shutdown: new requests are refused (SHUTTING_DOWN) until close. */
  | { type: 'gateway.draining' }
  | { type: 'consumer.slow' }
  | { type: 'handshake.decided'; decision: HandshakeDecision };

/** Parameters of the effects the machine names. */
export interface SendFrameParams { readonly frame: ResponseFrame | EventFrame }
export interface CloseSocketParams { readonly code: number; readonly reason: string }
export interface DispatchParams { readonly id: string; readonly method: string; readonly params: unknown; readonly role: Role; readonly scopes: readonly string[] }
export interface HelloParams { readonly requestId: string; readonly admission: Admission }

type RoutedAction =
  | { type: 'sendFrame'; params: SendFrameParams }
  | { type: 'dispatchRequest'; params: DispatchParams };

/** The effects one request asks for, decided by `routeRequest`. */
function routedActions(admission: Admission | null, data: unknown): RoutedAction[] {
  if (!admission) return [];
  const decision = routeRequest(admission, data);
  if (decision.kind === 'respond') return [{ type: 'sendFrame', params: { frame: decision.response } }];
  if (decision.kind === 'ignore') return [];
  return [{
    type: 'dispatchRequest',
    params: { id: decision.id, method: decision.method, params: decision.params, role: admission.role, scopes: admission.scopes },
  }];
}

const unprovided = (name: string) => (): never => {
  throw new Error(`connection machine: effect '${name}' was not provided`);
};

/** One WebSocket's protocol state: handshake, then request routing, then close. */
export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    input: {} as ConnectionInput,
    events: {} as ConnectionEvent,
  },
  actions: {
    sendChallenge: unprovided('sendChallenge') as (_: unknown, params: { nonce: string; ts: number }) => void,
    sendFrame: unprovided('sendFrame') as (_: unknown, params: SendFrameParams) => void,
    sendHello: unprovided('sendHello') as (_: unknown, params: HelloParams) => void,
    closeSocket: unprovided('closeSocket') as (_: unknown, params: CloseSocketParams) => void,
    dispatchRequest: unprovided('dispatchRequest') as (_: unknown, params: DispatchParams) => void,
    recordDisconnect: unprovided('recordDisconnect') as (_: unknown, params: { presenceKey: string }) => void,
  },
  actors: {
    /** Verifies the device (if any), journals presence; may refuse the socket after all. */
    admitConnection: fromPromise<HandshakeDecision, { connId: string; nonce: string; admission: Admission }>(unprovided('admitConnection')),
  },
  guards: {
    isAdmitted: ({ event }) => event.type === 'handshake.decided' && event.decision.kind === 'admit',
    /** Untracked clients (cli, backend, probe) have no presence row to journal before hello-ok. */
    isAdmittedUntracked: ({ event }) =>
      event.type === 'handshake.decided' && event.decision.kind === 'admit' && event.decision.admission.presenceKey === null
      && event.decision.admission.device === null,
    hasTooManyPending: ({ context }) => context.pending.length >= MAX_PENDING_HANDSHAKE_FRAMES,
  },
  delays: {
    handshakeTimeout: ({ context }) => context.handshakeTimeoutMs,
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({ ...input, admission: null, pending: [] }),
  initial: 'awaitingConnect',
  states: {
    awaitingConnect: {
      description: 'Challenge sent; the first frame must be a valid connect within the handshake timeout.',
      entry: { type: 'sendChallenge', params: ({ context }) => ({ nonce: context.nonce, ts: context.now }) },
      after: {
        handshakeTimeout: {
          target: 'closing',
          actions: { type: 'closeSocket', params: { code: ERRORS.HANDSHAKE_TIMEOUT.close, reason: '' } },
        },
      },
      on: {
        'frame.received': {
          actions: raise(({ context, event }) => ({
            type: 'handshake.decided' as const,
            decision: decideConnect(context, event.data, event.bytes, event.authRetryAfterMs),
          })),
        },
        'handshake.decided': [
          {
            guard: 'isAdmittedUntracked',
            target: 'ready',
            actions: [
              assign({ admission: ({ event }) => (event.decision.kind === 'admit' ? event.decision.admission : null) }),
              {
                type: 'sendHello',
                params: ({ event }) => {
                  const admission = (event.decision as Extract<HandshakeDecision, { kind: 'admit' }>).admission;
                  return { requestId: admission.requestId, admission };
                },
              },
            ],
          },
          {
            guard: 'isAdmitted',
            target: 'admitting',
            actions: assign({ admission: ({ event }) => (event.decision.kind === 'admit' ? event.decision.admission : null) }),
          },
          {
            target: 'closing',
            actions: enqueueActions(({ event, enqueue }) => {
              if (event.decision.kind !== 'reject') return;
              if (event.decision.response) enqueue({ type: 'sendFrame', params: { frame: event.decision.response } });
              enqueue({ type: 'closeSocket', params: event.decision.close });
            }),
          },
        ],
        'gateway.stopping': { target: 'closing', actions: { type: 'closeSocket', params: { code: 1012, reason: 'service restart' } } },
        'socket.closed': 'closed',
      },
    },
    admitting: {
      description: 'Connect accepted; verifying the device proof and pairing, journaling the presence row before hello-ok is sent.',
      invoke: {
        src: 'admitConnection',
        input: ({ context }) => ({ connId: context.connId, nonce: context.nonce, admission: context.admission as Admission }),
        onDone: [{
          // Output is optional for admissions without a device step (no refusal possible then).
          guard: ({ event }) => (event.output as HandshakeDecision | undefined)?.kind === 'reject',
          target: 'closing',
          actions: enqueueActions(({ event, enqueue }) => {
            if ((event.output as HandshakeDecision | undefined)?.kind !== 'reject' || event.output.kind !== 'reject') return;
            if (event.output.response) enqueue({ type: 'sendFrame', params: { frame: event.output.response } });
            enqueue({ type: 'closeSocket', params: event.output.close });
          }),
        }, {
          target: 'ready',
          actions: [
            assign({ admission: ({ context, event }) => ((event.output as HandshakeDecision | undefined)?.kind === 'admit' && event.output.kind === 'admit' ? event.output.admission : context.admission) }),
            { type: 'sendHello', params: ({ context }) => ({ requestId: (context.admission as Admission).requestId, admission: context.admission as Admission }) },
            enqueueActions(({ context, enqueue }) => {
              for (const frame of context.pending) for (const action of routedActions(context.admission, frame.data)) enqueue(action);
            }),
            assign({ pending: [] }),
          ],
        }],
        onError: {
          target: 'closing',
          actions: { type: 'closeSocket', params: { code: 1011, reason: 'gateway message handler unavailable' } },
        },
      },
      on: {
        'frame.received': [
          {
            guard: 'hasTooManyPending',
            target: 'closing',
            actions: { type: 'closeSocket', params: { code: ERRORS.TOO_MANY_PENDING_FRAMES.close, reason: ERRORS.TOO_MANY_PENDING_FRAMES.message } },
          },
          { actions: assign({ pending: ({ context, event }) => [...context.pending, { data: event.data, bytes: event.bytes }] }) },
        ],
        'gateway.stopping': { target: 'closing', actions: { type: 'closeSocket', params: { code: 1012, reason: 'service restart' } } },
        'socket.closed': 'closed',
      },
    },
    ready: {
      description: 'Authenticated: requests are routed to handlers; broadcasts are delivered.',
      on: {
        'frame.received': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            for (const action of routedActions(context.admission, event.data)) enqueue(action);
          }),
        },
        'gateway.stopping': { target: 'closing', actions: { type: 'closeSocket', params: { code: 1012, reason: 'service restart' } } },
        'gateway.draining': 'draining',
        'consumer.slow': {
          target: 'closing',
          actions: { type: 'closeSocket', params: { code: ERRORS.SLOW_CONSUMER.close, reason: ERRORS.SLOW_CONSUMER.message } },
        },
        'socket.closed': 'closed',
      },
    },
    draining: {
      description: 'The gateway is shutting down: every new request is answered UNAVAILABLE/SHUTTING_DOWN (retryable) until close 1012.',
      on: {
        'frame.received': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const frame = drainingResponse(context.admission, event.data);
            if (frame) enqueue({ type: 'sendFrame', params: { frame } });
          }),
        },
        'gateway.stopping': { target: 'closing', actions: { type: 'closeSocket', params: { code: 1012, reason: 'service restart' } } },
        'consumer.slow': {
          target: 'closing',
          actions: { type: 'closeSocket', params: { code: ERRORS.SLOW_CONSUMER.close, reason: ERRORS.SLOW_CONSUMER.message } },
        },
        'socket.closed': 'closed',
      },
    },
    closing: {
      description: 'Close handshake started by the gateway; waiting for the socket to go away.',
      on: { 'socket.closed': 'closed' },
    },
    closed: {
      type: 'final',
      description: 'Socket gone; a tracked presence row is marked disconnected and the actor is reaped.',
      entry: enqueueActions(({ context, enqueue }) => {
        const key = context.admission?.presenceKey;
        if (key) enqueue({ type: 'recordDisconnect', params: { presenceKey: key } });
      }),
    },
  },
});
