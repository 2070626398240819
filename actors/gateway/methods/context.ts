import type { Journal } from '../../../store/journal.js';
import type { GatewayViewState } from '../../../store/gateway-view.js';
import type { ErrorKey } from '../../../protocol/errors.js';
import type { HealthSnapshot } from '../../../protocol/health.js';
import type { AgentDescriptor } from '../health-monitor.js';
import type { EventFrame, ResponseFrame } from '../../../protocol/frames.js';
import type { Role } from '../../../protocol/scopes.js';
import type { Logger } from '../../logs/logger.js';
import type { AuthPolicy } from '../../../machines/connection-rules.js';
import type { OutgoingEvent } from '../outgoing-event.js';
import type { InspectionEvent, Observer } from 'xstate';
import type { GatewayMetrics } from '../metrics-hooks.js';

/** What method handlers may use: read-only views and the journal to append facts to. */
export interface GatewayServices {
  readonly journal: Journal;
  /** The projection of the `gateway` stream as of the last commit. */
  view(): GatewayViewState;
  /** A fresh health snapshot (not journaled). */
  liveHealth(): HealthSnapshot;
  readonly agents: readonly AgentDescriptor[];
  readonly defaultAgentId: string;
  readonly startedAt: number;
  readonly version: string;
  readonly pid: number;
  transportKind(): 'uws' | 'ws';
  /** Authenticated sockets right now. */
  connectionCount(): number;
  now(): number;
  readonly logger: Logger;
  /** The auth policy new connections use now (changes on a hot reload of `gateway.auth.*`). */
  auth(): AuthPolicy;
  /**
   * Sends an event now, to every authenticated socket allowed to see it. For facts that must be
   * journaled first, use a module's `eventOf` instead (it runs at commit).
   */
  broadcast(event: OutgoingEvent): void;
  /** Options for `createActor` so a new actor shows in the inspector while someone watches. */
  inspectOptions(): { inspect?: Observer<InspectionEvent> };
  /** Asks for a health refresh now (a module's state that health shows changed); journals `health.changed` if it did. */
  refreshHealth(): void;
  /** Metrics: the sink (plugged in by the first scrape) and the channel link states channels set. */
  readonly metrics: GatewayMetrics;
  /** Sends a frame to one authenticated connection; false when it is gone. */
  sendTo(connId: string, frame: EventFrame): boolean;
  /** Closes one connection with this code and reason (e.g. 4001 "device removed"). */
  closeConnection(connId: string, code: number, reason: string): void;
  /**
   * Runs one request as `caller` through the routing (role, scope, params) and handlers a socket's
   * requests go through; resolves with the first response (the ack of a two-stage method).
   */
  dispatch(caller: { readonly connId: string; readonly role: Role; readonly scopes: readonly string[] }, request: { readonly id: string; readonly method: string; readonly params?: unknown }): Promise<ResponseFrame>;
}

/** Who is calling, plus the services. */
export interface MethodContext {
  readonly connId: string;
  readonly role: string;
  readonly scopes: readonly string[];
  readonly services: GatewayServices;
}

/** A handler: gets validated params, returns the payload (or throws a MethodError). */
export type MethodHandler = (context: MethodContext, params: unknown) => unknown;

/** An expected failure of a method, converted to a wire error at the edge. */
export class MethodError extends Error {
  constructor(
    readonly key: ErrorKey,
    message?: string,
    readonly details?: unknown,
  ) {
    super(message ?? key);
    this.name = 'MethodError';
  }
}

/** `main` → `agent:<default>:main`; `x` → `agent:<default>:x`; `agent:…` kept. */
export function normalizeSessionKey(key: string | undefined, defaultAgentId: string): string {
  if (!key || key === 'main') return `agent:${defaultAgentId}:main`;
  return key.startsWith('agent:') ? key : `agent:${defaultAgentId}:${key}`;
}

/** The journal stream of a session. */
export const sessionStream = (sessionKey: string): string => `session:${sessionKey}`;
