import { setup, assign, enqueueActions, not } from 'xstate';

/*
 * One `node.invoke` (NODES.md §3.7): dispatched to the node, awaiting its `node.invoke.result`,
 * re-dispatched with a fresh invoke id while the node answers NODE_NOT_READY (+100/250/500/1000 ms,
 * never past the deadline), ending ok, failed (node error, DISCONNECTED, PAIRING_CHANGED) or timed
 * out (the node gets node.invoke.cancel). Ids and time come from the actor: `invokeIds` are made
 * up front, results carry `elapsedMs`.
 *
 *   operator ─ node.invoke ─► awaiting ── node.invoke.request{id} ──► node
 *                               │ ◄── node.invoke.result{id, ok|error} ──┘
 *                               ├ ok ──────────────────────────► succeeded
 *                               ├ NODE_NOT_READY, time left ───► retrying ─(retryDelay)─► awaiting (next id)
 *                               ├ error / disconnected ────────► failed
 *                               └ deadline ── node.invoke.cancel ─► timedOut
 */

/** Re-dispatch delays after NODE_NOT_READY (ms), at most four re-dispatches. */
export const NOT_READY_RETRY_DELAYS_MS = [100, 250, 500, 1000] as const;

export interface NodeInvokeInput {
  readonly nodeId: string;
  readonly command: string;
  readonly timeoutMs: number;
  /** One id per possible dispatch (1 + retries). */
  readonly invokeIds: readonly string[];
}

/** How an invoke ended. */
export type NodeInvokeOutcome =
  | { readonly kind: 'ok'; readonly payload: unknown; readonly payloadJSON: string | null }
  | { readonly kind: 'node-error'; readonly code: string; readonly message: string; readonly dispatched: boolean }
  | { readonly kind: 'timeout' };

export interface NodeInvokeContext extends NodeInvokeInput {
  readonly attempt: number;
  readonly outcome: NodeInvokeOutcome | null;
}

export type NodeInvokeEvent =
  | { type: 'result.received'; invokeId: string; ok: boolean; payload?: unknown; payloadJSON?: string | null; error?: { code?: string; message?: string } | null; elapsedMs: number }
  | { type: 'node.disconnected' }
  | { type: 'pairing.changed' };

const unprovided = (name: string) => (): never => {
  throw new Error(`node-invoke machine: effect '${name}' was not provided`);
};

const currentId = (context: NodeInvokeContext): string => context.invokeIds[context.attempt] ?? context.invokeIds.at(-1) ?? '';

function isNotReady(event: NodeInvokeEvent): boolean {
  return event.type === 'result.received' && !event.ok && event.error?.code === 'NODE_NOT_READY';
}

/** One node.invoke, from first dispatch to its outcome. */
export const nodeInvokeMachine = setup({
  types: { context: {} as NodeInvokeContext, input: {} as NodeInvokeInput, events: {} as NodeInvokeEvent, output: {} as NodeInvokeOutcome },
  actions: {
    dispatchRequest: unprovided('dispatchRequest') as (_: unknown, params: { invokeId: string; attempt: number }) => void,
    sendCancel: unprovided('sendCancel') as (_: unknown, params: { invokeId: string }) => void,
  },
  guards: {
    isCurrent: ({ context, event }) => event.type === 'result.received' && event.invokeId === currentId(context),
    canRetry: ({ context, event }) => {
      if (!isNotReady(event) || event.type !== 'result.received') return false;
      const delay = NOT_READY_RETRY_DELAYS_MS[context.attempt];
      return delay !== undefined && event.elapsedMs + delay < context.timeoutMs;
    },
  },
  delays: {
    deadline: ({ context }) => context.timeoutMs,
    retryDelay: ({ context }) => NOT_READY_RETRY_DELAYS_MS[context.attempt - 1] ?? 1000,
  },
}).createMachine({
  id: 'nodeInvoke',
  context: ({ input }) => ({ ...input, attempt: 0, outcome: null }),
  initial: 'running',
  output: ({ context }) => context.outcome ?? { kind: 'timeout' },
  states: {
    running: {
      after: {
        deadline: {
          target: 'timedOut',
          actions: [
            { type: 'sendCancel', params: ({ context }) => ({ invokeId: currentId(context) }) },
            assign({ outcome: { kind: 'timeout' } }),
          ],
        },
      },
      on: {
        'node.disconnected': {
          target: 'failed',
          actions: assign({ outcome: ({ context }) => ({ kind: 'node-error', code: 'DISCONNECTED', message: `node disconnected (${context.command})`, dispatched: true }) }),
        },
        'pairing.changed': {
          target: 'failed',
          actions: assign({ outcome: { kind: 'node-error', code: 'PAIRING_CHANGED', message: 'node pairing changed while invocation was active', dispatched: true } }),
        },
      },
      initial: 'awaiting',
      states: {
        awaiting: {
          description: 'node.invoke.request sent with the current invoke id; waiting for node.invoke.result.',
          entry: { type: 'dispatchRequest', params: ({ context }) => ({ invokeId: currentId(context), attempt: context.attempt }) },
          on: {
            'result.received': [
              { guard: not('isCurrent') },
              { guard: 'canRetry', target: 'retrying', actions: assign({ attempt: ({ context }) => context.attempt + 1 }) },
              {
                target: '#nodeInvoke.succeeded',
                guard: ({ event }) => event.ok,
                actions: assign({ outcome: ({ event }) => ({ kind: 'ok', payload: event.payload, payloadJSON: event.payloadJSON ?? null }) }),
              },
              {
                target: '#nodeInvoke.failed',
                actions: enqueueActions(({ event, enqueue }) => {
                  const code = event.error?.code ?? 'UNAVAILABLE';
                  const message = event.error?.message ?? 'node invoke failed';
                  enqueue.assign({ outcome: { kind: 'node-error', code, message, dispatched: true } });
                }),
              },
            ],
          },
        },
        retrying: {
          description: 'The node was not ready: waiting before re-dispatching with a fresh invoke id.',
          after: { retryDelay: 'awaiting' },
        },
      },
    },
    succeeded: { type: 'final' },
    failed: { type: 'final' },
    timedOut: { type: 'final', description: 'Deadline passed: the node got node.invoke.cancel.' },
  },
});
