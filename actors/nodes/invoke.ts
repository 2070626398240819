import { randomUUID } from 'node:crypto';
import { createActor, toPromise, type AnyActorRef } from 'xstate';
import { ERRORS } from '../../protocol/errors.js';
import type { NodeInvokeParams, NodeInvokeResultParams } from '../../protocol/nodes.js';
import { hasScope } from '../../protocol/scopes.js';
import { NOT_READY_RETRY_DELAYS_MS, nodeInvokeMachine, type NodeInvokeOutcome } from '../../machines/node-invoke.js';
import { MethodError, type GatewayServices, type MethodContext, type MethodHandler } from '../gateway/methods/context.js';
import type { NodesHub } from './hub.js';
import { effectiveSurface } from './node-methods.js';

/** `node.invoke` waits this long when the caller gives no `timeoutMs`. */
export const DEFAULT_INVOKE_TIMEOUT_MS = 30_000;
const ADMIN_COMMANDS = new Set(['browser.proxy', 'browser.proxy.upload.v1', 'fs.listDir', 'terminal.upload']);

const fail = (key: keyof typeof ERRORS, message?: string, details?: unknown): MethodError => new MethodError(key, message ?? ERRORS[key].message, details);

interface LiveInvoke {
  readonly nodeId: string;
  readonly connId: string;
  readonly actor: AnyActorRef;
  readonly startedAt: number;
  /** Sends `node.invoke.request` for one dispatch (with the time left) or `node.invoke.cancel`. */
  readonly dispatch: (invokeId: string) => void;
  readonly cancel: (invokeId: string) => void;
}

/**
 * The invokes in flight, one actor each (`nodeInvoke:<id>`, visible in the inspector): routes
 * `node.invoke.result` to its actor and fails every invoke of a node whose socket closes.
 */
export class NodeInvokes {
  private readonly byInvokeId = new Map<string, LiveInvoke>();
  private readonly live = new Set<LiveInvoke>();
  /** The machine with its effects, built once: each invoke's effects are found by its first invoke id. */
  private readonly logic = nodeInvokeMachine.provide({
    actions: {
      dispatchRequest: ({ context }, { invokeId }) => this.byInvokeId.get(context.invokeIds[0] ?? '')?.dispatch(invokeId),
      sendCancel: ({ context }, { invokeId }) => this.byInvokeId.get(context.invokeIds[0] ?? '')?.cancel(invokeId),
    },
  });

  constructor(
    private readonly hub: NodesHub,
    private readonly services: GatewayServices,
  ) {}

  actors(): AnyActorRef[] {
    return [...this.live].map((invoke) => invoke.actor);
  }

  /** The `node.invoke` handler. */
  readonly invoke: MethodHandler = async (context: MethodContext, raw: unknown) => {
    const params = raw as NodeInvokeParams;
    const { nodeId, command } = params;
    if (command.startsWith('system.execApprovals.')) throw fail('NODE_COMMAND_NOT_ALLOWED', 'node.invoke does not allow system.execApprovals.*; use exec.approvals.node.*');
    if (ADMIN_COMMANDS.has(command) && !hasScope(context.scopes, 'operator.admin')) {
      throw fail('MISSING_SCOPE', 'missing scope: operator.admin', { code: 'MISSING_SCOPE', missingScope: 'operator.admin', requiredScopes: ['operator.admin'] });
    }
    const record = this.hub.device(nodeId);
    if (!record?.node.approved) throw fail('PAIRING_CHANGED', undefined, { code: 'PAIRING_CHANGED' });
    const connection = this.hub.nodeConnection(nodeId);
    if (!connection) {
      throw fail('NOT_CONNECTED', undefined, { code: 'NOT_CONNECTED', nodeError: { code: 'NOT_CONNECTED', message: 'node not connected' }, nodeCommandDispatched: false });
    }
    if (!effectiveSurface(this.hub, record, connection).commands.includes(command)) {
      throw fail('NODE_COMMAND_NOT_ALLOWED', `node command not allowed: "${command}" is not in the allowlist for platform "${connection.params.client.platform}"`, { reason: 'command not allowlisted', command });
    }
    let invokeParams = params.params;
    if (command === 'system.run' && typeof invokeParams === 'object' && invokeParams !== null && !('runId' in invokeParams)) {
      invokeParams = { ...invokeParams, runId: randomUUID() }; // as normalizeSystemRunInvokeParams does
    }
    const paramsJSON = invokeParams === undefined ? null : JSON.stringify(invokeParams);
    const timeoutMs = params.timeoutMs ?? DEFAULT_INVOKE_TIMEOUT_MS;
    const invokeIds = Array.from({ length: NOT_READY_RETRY_DELAYS_MS.length + 1 }, () => randomUUID());
    const startedAt = this.services.now();
    const send = (event: string, payload: unknown) => this.services.sendTo(connection.connId, { type: 'event', event, payload });
    const actor = createActor(this.logic, { input: { nodeId, command, timeoutMs, invokeIds }, id: `nodeInvoke:${invokeIds[0]}`, ...this.services.inspectOptions() });
    const entry: LiveInvoke = {
      nodeId, connId: connection.connId, actor, startedAt,
      dispatch: (invokeId) => {
        this.byInvokeId.set(invokeId, entry);
        const remaining = Math.max(1, timeoutMs - (this.services.now() - startedAt));
        send('node.invoke.request', { id: invokeId, nodeId, command, paramsJSON, timeoutMs: remaining, idempotencyKey: params.idempotencyKey });
      },
      cancel: (invokeId) => send('node.invoke.cancel', { invokeId, nodeId }),
    };
    // Registered under the first id before start: the entry action dispatches at once.
    this.byInvokeId.set(invokeIds[0] ?? '', entry);
    this.live.add(entry);
    const done = toPromise(actor);
    actor.start();
    let outcome: NodeInvokeOutcome;
    try {
      outcome = await done;
    } finally {
      this.live.delete(entry);
      for (const id of invokeIds) this.byInvokeId.delete(id);
    }
    return answer(nodeId, command, outcome);
  };

  /** The `node.invoke.result` handler (node side). */
  readonly result: MethodHandler = (context: MethodContext, raw: unknown) => {
    const params = raw as NodeInvokeResultParams;
    const invoke = this.byInvokeId.get(params.id);
    const caller = this.hub.connection(context.connId);
    if (!invoke || caller?.deviceId !== invoke.nodeId) throw fail('UNKNOWN_INVOKE', `unknown invoke id: ${params.id}`);
    invoke.actor.send({
      type: 'result.received',
      invokeId: params.id,
      ok: params.ok,
      ...(params.payload !== undefined ? { payload: params.payload } : {}),
      ...(params.payloadJSON !== undefined ? { payloadJSON: params.payloadJSON } : {}),
      ...(params.error ? { error: { ...(params.error.code !== undefined ? { code: params.error.code } : {}), ...(params.error.message !== undefined ? { message: params.error.message } : {}) } } : {}),
      elapsedMs: this.services.now() - invoke.startedAt,
    });
    return { ok: true };
  };

  /** A node's socket closed: its invokes fail with DISCONNECTED at once. */
  disconnected(connId: string): void {
    for (const invoke of this.live) if (invoke.connId === connId) invoke.actor.send({ type: 'node.disconnected' });
  }

  /** A node's pairing changed (removed): its invokes fail with PAIRING_CHANGED. */
  pairingChanged(nodeId: string): void {
    for (const invoke of this.live) if (invoke.nodeId === nodeId) invoke.actor.send({ type: 'pairing.changed' });
  }
}

function answer(nodeId: string, command: string, outcome: NodeInvokeOutcome): unknown {
  if (outcome.kind === 'ok') {
    const payload = outcome.payload !== undefined ? outcome.payload : parse(outcome.payloadJSON);
    return { ok: true, nodeId, command, payload: payload ?? null, payloadJSON: outcome.payloadJSON };
  }
  const code = outcome.kind === 'timeout' ? 'TIMEOUT' : outcome.code;
  const message = outcome.kind === 'timeout' ? 'node invoke timed out' : outcome.message;
  if (code === 'PAIRING_CHANGED') throw fail('PAIRING_CHANGED', undefined, { code: 'PAIRING_CHANGED' });
  throw fail('NODE_INVOKE_FAILED', `${code}: ${message}`, { nodeError: { code, message }, nodeCommandDispatched: outcome.kind === 'timeout' || outcome.dispatched });
}

function parse(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // a node that sends non-JSON text gets it back verbatim
  }
}
