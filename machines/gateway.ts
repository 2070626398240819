import { setup, assign, fromPromise, fromCallback } from 'xstate';

/*
 * The gateway supervisor: owns the lifetime of every service.
 *
 *   starting ──services up──> running ──stop.requested──> draining ──drained──> stopped
 *       └──start failed──> failed
 *
 * Draining announces `shutdown` (journaled), closes every socket with 1012, stops the transport,
 * the ticker and the health monitor, then closes the journal.
 */

export interface StopRequest {
  readonly reason: string;
  /** Set for an in-process restart: clients may reconnect after this many ms. */
  readonly restartExpectedMs?: number;
}

export interface GatewayContext {
  readonly stop: StopRequest | null;
  readonly error: unknown;
}

export type GatewayEvent = { type: 'stop.requested' } & StopRequest;

const unprovided = (name: string) => (): never => {
  throw new Error(`gateway machine: actor '${name}' was not provided`);
};

/** The supervisor of one gateway process (or one in-process restart generation). */
export const gatewayMachine = setup({
  types: { context: {} as GatewayContext, events: {} as GatewayEvent },
  actors: {
    startServices: fromPromise<void>(unprovided('startServices')),
    ticker: fromCallback(unprovided('ticker')),
    healthMonitor: fromCallback(unprovided('healthMonitor')),
    drain: fromPromise<void, StopRequest>(unprovided('drain')),
  },
}).createMachine({
  id: 'gateway',
  context: { stop: null, error: null },
  initial: 'starting',
  states: {
    starting: {
      description: 'Opening the journal, rebuilding projections, binding the port.',
      invoke: {
        src: 'startServices',
        onDone: 'running',
        onError: { target: 'failed', actions: assign({ error: ({ event }) => event.error }) },
      },
      on: { 'stop.requested': { actions: assign({ stop: ({ event }) => ({ reason: event.reason, restartExpectedMs: event.restartExpectedMs }) }) } },
    },
    running: {
      description: 'Serving: the ticker and the health monitor run as children.',
      always: { guard: ({ context }) => context.stop !== null, target: 'draining' },
      invoke: [
        { id: 'ticker', src: 'ticker' },
        { id: 'healthMonitor', src: 'healthMonitor' },
      ],
      on: {
        'stop.requested': {
          target: 'draining',
          actions: assign({ stop: ({ event }) => ({ reason: event.reason, restartExpectedMs: event.restartExpectedMs }) }),
        },
      },
    },
    draining: {
      description: 'Announcing shutdown, closing sockets with 1012, stopping services, closing the journal.',
      invoke: {
        src: 'drain',
        input: ({ context }) => context.stop ?? { reason: 'gateway stopping' },
        onDone: 'stopped',
        onError: { target: 'failed', actions: assign({ error: ({ event }) => event.error }) },
      },
    },
    stopped: { type: 'final', description: 'Every service stopped cleanly.' },
    failed: { type: 'final', description: 'Start-up or shutdown failed; the error is in context.' },
  },
});
