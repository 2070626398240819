import { randomUUID } from 'node:crypto';
import { createActor, fromCallback, fromPromise, toPromise, type Actor, type AnyActorRef, type InspectionEvent } from 'xstate';
import { connectionMachine, type ConnectionInput } from '../../machines/connection.js';
import { gatewayMachine, type StopRequest } from '../../machines/gateway.js';
import { routeRequest, type AuthPolicy } from '../../machines/connection-rules.js';
import { ERRORS } from '../../protocol/errors.js';
import type { OriginPolicy } from '../../machines/browser-origin.js';
import type { HelloOk } from '../../protocol/connect.js';
import type { EventFrame, ResponseFrame } from '../../protocol/frames.js';
import type { Fact } from '../../protocol/facts.js';
import type { GatewayFileConfig } from '../../protocol/config.js';
import { GATEWAY_EVENTS } from '../../protocol/events.js';
import { METHOD_NAMES } from '../../protocol/registry.js';
import { hasScope } from '../../protocol/scopes.js';
import {
  MAX_BUFFERED_BYTES, MAX_PAYLOAD_BYTES, MAX_PREAUTH_PAYLOAD_BYTES, PROTOCOL_VERSION, SERVER_VERSION,
} from '../../protocol/version.js';
import { Journal, type JournalEntry } from '../../store/journal.js';
import {
  GATEWAY_STREAM, gatewayViewProjection,
  rebuildGatewayView, stateVersionOf, type GatewayViewState,
} from '../../store/gateway-view.js';
import { rosterOf } from '../../store/presence.js';
import { HealthMonitor, type AgentDescriptor } from './health-monitor.js';
import { createHttpRoutes } from './http-routes.js';
import type { Logger } from '../logs/logger.js';
import { METHOD_HANDLERS } from './methods/index.js';
import type { GatewayServices } from './methods/context.js';
import { dispatchRequest } from './request-dispatch.js';
import { connectPresenceEntry, selfPresenceEntry } from './presence-entries.js';
import type { GatewaySocket, Transport } from '../transport/contract.js';
import type { GatewayModule, GatewayModuleFactory } from './module.js';
import type { OutgoingEvent } from './outgoing-event.js';
import { Broadcaster, encodeFrame } from './broadcaster.js';
import { Inspector } from './inspector.js';
import { GatewayMetrics } from './metrics-hooks.js';
import type { GatewayInspectParams, GatewayInspectResult } from '../../protocol/methods/inspect.js';
import { openTransport } from '../transport/select.js';
import { nodesModule } from '../nodes/module.js';
import type { NodesConfig } from '../nodes/hub.js';
import { connectionAuth } from '../auth/trusted-proxy.js';
import { JournalWatch, ViewCheckpointer, storageCause } from './journal-faults.js';
import { PreauthLimits, type PreauthLimitOptions } from './preauth-limits.js';
import { AuthRateLimiter, isSecretMismatch, type AuthRateLimitConfig } from './auth-rate-limit.js';

/** Everything a gateway needs to run; resolved from flags, env and config by bin/. */
export interface GatewayConfig {
  readonly port: number;
  readonly hosts: readonly string[];
  readonly auth: AuthPolicy;
  readonly journalPath: string;
  readonly synchronous?: 'normal' | 'full';
  readonly transport: 'auto' | 'uws' | 'ws';
  readonly tickIntervalMs: number;
  readonly handshakeTimeoutMs: number;
  readonly healthRefreshMs: number;
  /** Bounds on unauthenticated sockets (default 32 per address, 1024 in total). */
  readonly preauth?: PreauthLimitOptions;
  /** `gateway.auth.rateLimit`: failed shared secrets per client before a lockout. */
  readonly authRateLimit?: AuthRateLimitConfig;
  /** `policy.maxBufferedBytes`: a socket buffering more is a slow consumer (default 50 MiB). */
  readonly maxBufferedBytes?: number;
  readonly agents: readonly AgentDescriptor[];
  readonly logger: Logger;
  /** Features plugged in (agent runs, logs…): their methods, routes and events. */
  readonly modules?: readonly GatewayModuleFactory[];
  /** Where browsers may connect from (`gateway.controlUi.allowedOrigins`, seeded for non-loopback binds). */
  readonly originPolicy?: OriginPolicy;
  /** `gateway.nodes.*`: silent local pairing and the node command policy (defaults when absent). */
  readonly nodes?: NodesConfig;
  /** Feeds every actor's transitions to an inspector (free when absent). */
  readonly inspect?: (event: InspectionEvent) => void;
}

/** A started gateway. */
export interface RunningGateway {
  readonly port: number;
  readonly transport: 'uws' | 'ws';
  readonly journalPath: string;
  /** Announces `shutdown`, closes every socket with 1012, stops services, closes the journal. */
  stop(request: StopRequest): Promise<void>;
  /** Hot reload: new connections authenticate with `auth`; open ones stay as they are; modules get the new file config. */
  reconfigure(change: { readonly auth?: AuthPolicy; readonly config?: GatewayFileConfig }): Promise<void>;
  /** Appends facts to the journal's `system` stream (reloads, restarts); resolves once committed. */
  recordSystem(facts: readonly Fact[]): Promise<void>;
}

/** One socket with its connection actor. */
interface ConnectionHandle {
  readonly socket: GatewaySocket;
  readonly actor: Actor<typeof connectionMachine>;
  canRead: boolean;
  admitted: boolean;
  role: string;
  scopes: readonly string[];
  slow(): void;
}

const DRAIN_GRACE_MS = 2000;
/** How long the drain lets requests already running answer before closing their sockets. */
const IN_FLIGHT_GRACE_MS = 1000;

/** Starts a gateway: journal, projections, transport, ticker, health monitor, under one supervisor. */
export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const { logger } = config;
  const maxBufferedBytes = config.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  const startedAt = Date.now();
  const bootId = randomUUID();
  const journal = Journal.open(config.journalPath, { synchronous: config.synchronous ?? 'normal', degradeOnRefusal: true });
  const healthMonitor = new HealthMonitor(config.agents, config.journalPath);
  let view: GatewayViewState = rebuildGatewayView(journal);
  const checkpointer = new ViewCheckpointer(journal, logger, view.position);
  const journalWatch = new JournalWatch(journal, logger, () => (view = rebuildGatewayView(journal)));
  let transport: Transport | undefined;
  let phase: 'starting' | 'running' | 'draining' = 'starting';
  /** Dispatched requests not answered yet: the drain lets them answer before closing sockets. */
  let inFlight = 0;
  const handles = new Map<string, ConnectionHandle>();
  const metrics = new GatewayMetrics(() => {
    const byRole: Record<string, number> = {};
    for (const handle of handles.values()) byRole[handle.role] = (byRole[handle.role] ?? 0) + 1;
    return byRole;
  });
  const broadcaster = new Broadcaster(maxBufferedBytes, logger, metrics);
  const preauth = new PreauthLimits(config.preauth);
  const authLimiter = new AuthRateLimiter(config.authRateLimit);
  const defaultAgent = config.agents.find((a) => a.isDefault) ?? config.agents[0];

  let auth = config.auth; // hot-reloadable: read when a socket opens
  const inspector = new Inspector();
  const services: GatewayServices = {
    journal,
    view: () => view,
    liveHealth: () => healthMonitor.snapshot(),
    agents: config.agents,
    defaultAgentId: defaultAgent?.id ?? 'main',
    startedAt,
    version: SERVER_VERSION,
    pid: process.pid,
    transportKind: () => transport?.kind ?? 'ws',
    connectionCount: () => broadcaster.size,
    now: Date.now,
    logger,
    auth: () => auth,
    broadcast: (event) => broadcaster.publish(event),
    inspectOptions: () => inspector.optionsFor(),
    refreshHealth: () => {
      if (phase === 'draining') return;
      refreshHealth().catch((error: unknown) => logger.error('health refresh failed', { error: String(error) }));
    },
    metrics,
    sendTo: (connId, frame) => {
      const handle = handles.get(connId);
      if (!handle?.admitted) return false;
      broadcaster.send(handle, encodeFrame(frame), false);
      return true;
    },
    closeConnection: (connId, code, reason) => handles.get(connId)?.socket.close(code, reason),
    dispatch: (caller, request) =>
      new Promise((resolve) => {
        const decision = routeRequest(caller, { type: 'req', ...request });
        if (decision.kind === 'respond') return resolve(decision.response);
        if (decision.kind === 'ignore') return resolve({ type: 'res', id: request.id, ok: false, error: { code: 'INVALID_REQUEST', message: ERRORS.INVALID_REQUEST_FRAME.message } });
        let answered = false;
        dispatchRequest(handlers, { ...caller, services }, decision, {
          respond: (text) => {
            if (answered) return;
            answered = true;
            resolve(JSON.parse(text) as ResponseFrame);
          },
          logger,
        });
      }),
  };
  const liveActors = (): AnyActorRef[] => [
    supervisor,
    ...[...handles.values()].map((handle) => handle.actor),
    ...modules.flatMap((module) => [...(module.actors?.() ?? [])]),
  ];
  const inspectorModule: GatewayModule = {
    name: 'inspector',
    methods: {
      'gateway.inspect': (_context: unknown, raw: unknown): GatewayInspectResult => {
        const params = raw as GatewayInspectParams;
        const live = liveActors();
        inspector.watch(params.watchMs ?? 0, live);
        const { transitions, cursor } = inspector.transitionsAfter(params.since ?? 0);
        return { watchingUntil: inspector.watchingUntil, actors: live.map((actor) => Inspector.describe(actor)), transitions, cursor };
      },
    },
  };
  const modules = [inspectorModule, nodesModule(config.nodes)(services), ...(config.modules ?? []).map((create) => create(services))];
  const deviceGate = modules.find((m) => m.admitDevice !== undefined);
  const handlers = Object.assign({}, METHOD_HANDLERS, ...modules.map((m) => m.methods ?? {})) as typeof METHOD_HANDLERS;
  const eventSources = modules.filter((m) => m.eventOf !== undefined);
  const healthSources = modules.filter((m) => m.health !== undefined);
  if (healthSources.length > 0) healthMonitor.channelSource = () => Object.assign({}, ...healthSources.map((m) => m.health?.()));


  // Commit, then effect: every committed `gateway` fact updates the view, then goes out as an event.
  journal.onCommit((entries: readonly JournalEntry[]) => {
    for (const entry of entries) {
      if (entry.stream === GATEWAY_STREAM) {
        view = gatewayViewProjection.fold(view, entry);
        broadcaster.publishFact(entry, view);
        continue;
      }
      for (const source of eventSources) {
        const event = source.eventOf?.(entry);
        if (Array.isArray(event)) for (const one of event as readonly OutgoingEvent[]) broadcaster.publish(one);
        else if (event) broadcaster.publish(event as OutgoingEvent);
      }
    }
    checkpointer.afterCommit(view);
  });

  const helloFor = (connId: string, role: string, scopes: readonly string[], canRead: boolean, extra: HelloOk['auth'] | object = {}): HelloOk => ({
    type: 'hello-ok',
    protocol: PROTOCOL_VERSION,
    server: { version: SERVER_VERSION, connId, bootId },
    features: { methods: [...METHOD_NAMES], events: [...GATEWAY_EVENTS] },
    snapshot: {
      presence: canRead ? rosterOf(view.presence, Date.now()) : [],
      health: view.health.last ?? healthMonitor.snapshot(),
      stateVersion: stateVersionOf(view),
      uptimeMs: Date.now() - startedAt,
      sessionDefaults: {
        defaultAgentId: services.defaultAgentId,
        mainKey: 'main',
        mainSessionKey: `agent:${services.defaultAgentId}:main`,
        scope: 'per-sender',
      },
    },
    auth: { ...extra, role, scopes: [...scopes] },
    policy: { maxPayload: MAX_PAYLOAD_BYTES, maxBufferedBytes, tickIntervalMs: config.tickIntervalMs },
  });

  const connectionLogic = connectionMachine.provide({
    actions: {
      sendChallenge: ({ context }, params) => {
        const frame: EventFrame = { type: 'event', event: 'connect.challenge', payload: { nonce: params.nonce, ts: params.ts } };
        handles.get(context.connId)?.socket.send(JSON.stringify(frame));
      },
      sendFrame: ({ context }, params) => {
        const handle = handles.get(context.connId);
        if (!handle) return;
        if (!handle.admitted && isSecretMismatch(params.frame)) authLimiter.recordFailure(handle.socket);
        broadcaster.send(handle, JSON.stringify(params.frame), false);
      },
      sendHello: ({ context }, params) => {
        const handle = handles.get(context.connId);
        if (!handle) return;
        const { admission } = params;
        handle.canRead = admission.role === 'operator' && hasScope(admission.scopes, 'operator.read');
        handle.admitted = true;
        preauth.settled(context.connId);
        authLimiter.reset(handle.socket);
        handle.role = admission.role;
        handle.scopes = admission.role === 'operator' ? admission.scopes : [];
        broadcaster.join(handle);
        const hello = helloFor(context.connId, admission.role, admission.scopes, handle.canRead, admission.helloAuth);
        broadcaster.send(handle, JSON.stringify({ type: 'res', id: params.requestId, ok: true, payload: hello }), false);
      },
      closeSocket: ({ context }, params) => {
        handles.get(context.connId)?.socket.close(params.code, params.reason);
      },
      dispatchRequest: ({ context }, params) => {
        const handle = handles.get(context.connId);
        if (!handle) return;
        inFlight += 1;
        const sink = metrics.sink;
        dispatchRequest(handlers, { connId: context.connId, role: params.role, scopes: params.scopes, services }, params, {
          respond: (text) => broadcaster.send(handle, text, false),
          done: () => (inFlight -= 1),
          logger,
          ...(sink ? { observe: (outcome: 'ok' | 'error', seconds: number) => sink.requestDone(params.method, outcome, seconds) } : {}),
        });
      },
      recordDisconnect: (_, params) => {
        journal
          .append(GATEWAY_STREAM, [{ type: 'presence.disconnected', data: { key: params.presenceKey, ts: Date.now() } }])
          .catch((error: unknown) => logger.error('could not journal a disconnect', { error: String(error) }));
      },
    },
    actors: {
      admitConnection: fromPromise(async ({ input }) => {
        const handle = handles.get(input.connId);
        let admission = input.admission;
        if (admission.device) {
          if (!handle) return { kind: 'reject' as const, response: null, close: { code: 1000, reason: '' } };
          // The device step (actors/nodes): proof, credentials, pairing, device token.
          if (!deviceGate?.admitDevice) throw new Error('no device gate: a device proof cannot be verified');
          const decided = await deviceGate.admitDevice({ connId: input.connId, nonce: input.nonce, admission, socket: handle.socket });
          if (decided.kind === 'reject') return decided;
          admission = decided.admission;
        }
        const key = admission.presenceKey;
        if (!key || !handle) return { kind: 'admit' as const, admission };
        const entry = connectPresenceEntry(admission, handle.socket, Date.now());
        const result = await journal.append(GATEWAY_STREAM, [{ type: 'presence.connected', data: { key, entry } }]);
        if (!result.ok) throw new Error(`presence append refused: ${result.reason}`);
        return { kind: 'admit' as const, admission };
      }),
    },
  });

  const transportHandlers = {
    admitUpgrade: ({ remoteAddress }: { remoteAddress: string }) => preauth.admit(remoteAddress),
    open(socket: GatewaySocket) {
      preauth.opened(socket.id, socket.remoteAddress);
      const input: ConnectionInput = {
        connId: socket.id,
        nonce: randomUUID(),
        now: Date.now(),
        auth: connectionAuth(auth, socket),
        handshakeTimeoutMs: config.handshakeTimeoutMs,
        socketOrigin: { origin: socket.origin, isLoopback: socket.isLoopback, host: socket.host, policy: config.originPolicy ?? { allowedOrigins: [] } },
      };
      const actor = createActor(connectionLogic, { input, id: `conn:${socket.id}`, ...(config.inspect ? { inspect: config.inspect } : inspector.optionsFor()) });
      let slowReported = false;
      const slow = () => {
        if (!slowReported) metrics.sink?.slowConsumerClosed();
        slowReported = true;
        actor.send({ type: 'consumer.slow' });
      };
      handles.set(socket.id, { socket, actor, canRead: false, admitted: false, role: 'unauthenticated', scopes: [], slow });
      actor.start();
    },
    message(socket: GatewaySocket, data: Buffer, bytes: number) {
      const handle = handles.get(socket.id);
      if (!handle) return;
      if (logger.debugEnabled) logger.debug('frame in', { conn: socket.id, bytes, frame: data.toString('utf8', 0, 2000) });
      // A pre-auth frame over the limit is refused unread; parsing it would be wasted work.
      const data_ = !handle.admitted && bytes > MAX_PREAUTH_PAYLOAD_BYTES ? undefined : parseFrame(data);
      const retryAfterMs = handle.admitted ? undefined : authLimiter.retryAfterMs(socket);
      handle.actor.send({ type: 'frame.received', data: data_, bytes, ...(retryAfterMs !== undefined ? { authRetryAfterMs: retryAfterMs } : {}) });
    },
    close(socket: GatewaySocket, code: number, reason: string) {
      const handle = handles.get(socket.id);
      if (!handle) return;
      handles.delete(socket.id);
      preauth.settled(socket.id);
      broadcaster.leave(handle);
      for (const module of modules) module.connectionClosed?.(socket.id);
      handle.actor.send({ type: 'socket.closed', code, reason });
    },
    fetch: (request: Request, info: { remoteAddress: string }) => http.fetch(request, info),
  };

  const http = createHttpRoutes((app) => modules.forEach((m) => m.routes?.(app)), {
    phase: () => phase,
    uptimeMs: () => Date.now() - startedAt,
    version: SERVER_VERSION,
    eventLoop: () => healthMonitor.snapshot().eventLoop ?? null,
  });


  const refreshHealth = async () => {
    const snapshot = healthMonitor.snapshot();
    const last = view.health.last;
    if (last && HealthMonitor.signature(last) === HealthMonitor.signature(snapshot)) return;
    await journal.append(GATEWAY_STREAM, [{ type: 'health.changed', data: { snapshot } }]);
  };

  const supervisor = createActor(
    gatewayMachine.provide({
      actors: {
        startServices: fromPromise(async () => {
          // On a full disk these wait ahead of every later append and the gateway starts read-only.
          journalWatch.appendStartFacts(GATEWAY_STREAM, [{ type: 'presence.restarted', data: { self: selfPresenceEntry(bootId, SERVER_VERSION, Date.now()) } }]);
          await refreshHealth().catch((error: unknown) => logger.warn(`health snapshot not journaled: ${storageCause(error)}`));
          const opened = await openTransport({
            hosts: config.hosts,
            port: config.port,
            maxPayloadBytes: MAX_PAYLOAD_BYTES,
            handlers: transportHandlers,
            captureHeaders: () => auth.mode === 'trusted-proxy',
            prefer: config.transport,
          });
          transport = opened;
          for (const module of modules) await module.start?.();
          journalWatch.appendStartFacts('system', [
            { type: 'gateway.started', data: { version: SERVER_VERSION, pid: process.pid, bootId, transport: opened.kind, port: opened.port } },
          ]);
          phase = 'running';
        }),
        ticker: fromCallback(() => {
          const timer = setInterval(() => broadcaster.tick(Date.now()), config.tickIntervalMs);
          return () => clearInterval(timer);
        }),
        healthMonitor: fromCallback(() => {
          const timer = setInterval(() => {
            refreshHealth().catch((error: unknown) => logger.error('health refresh failed', { error: String(error) }));
          }, config.healthRefreshMs);
          return () => clearInterval(timer);
        }),
        drain: fromPromise<void, StopRequest>(async ({ input }) => {
          phase = 'draining';
          const announced = { reason: input.reason, ...(input.restartExpectedMs !== undefined ? { restartExpectedMs: input.restartExpectedMs } : {}) };
          await journal.append(GATEWAY_STREAM, [{ type: 'gateway.shutdown.announced', data: announced }])
            .catch((error: unknown) => logger.warn(`shutdown announcement not journaled: ${storageCause(error)}`));
          // From the announcement on, new requests get SHUTTING_DOWN; those already running still answer.
          for (const handle of handles.values()) handle.actor.send({ type: 'gateway.draining' });
          for (const module of modules) await module.stop?.(input.reason);
          await transport?.stopListening();
          await waitUntil(() => inFlight === 0, IN_FLIGHT_GRACE_MS);
          for (const handle of handles.values()) handle.actor.send({ type: 'gateway.stopping' });
          await waitUntil(() => handles.size === 0, DRAIN_GRACE_MS);
          await transport?.destroy();
          journal.flush();
          journalWatch.stop();
          try {
            journal.appendNow('system', [{ type: 'gateway.stopped', data: { reason: input.reason } }]);
          } catch (error) {
            logger.warn(`gateway.stopped not journaled: ${storageCause(error)}`);
          }
          checkpointer.final(view);
          healthMonitor.stop();
          journal.close();
        }),
      },
    }),
    { id: 'gateway', ...(config.inspect ? { inspect: config.inspect } : {}) },
  );

  const finished = toPromise(supervisor);
  supervisor.start();
  await waitForPhase(supervisor);
  const snapshot = supervisor.getSnapshot();
  if (snapshot.value === 'failed') {
    journalWatch.stop();
    healthMonitor.stop();
    journal.close();
    throw snapshot.context.error instanceof Error ? snapshot.context.error : new Error(String(snapshot.context.error));
  }
  const running = transport as Transport | undefined;
  if (!running) throw new Error('gateway did not start');
  logger.info(`listening on ws://${formatHost(config.hosts[0] ?? '127.0.0.1')}:${running.port}`, { transport: running.kind, journal: config.journalPath });

  return {
    port: running.port,
    transport: running.kind,
    journalPath: config.journalPath,
    async stop(request: StopRequest) {
      supervisor.send({ type: 'stop.requested', ...request });
      await finished;
      const final = supervisor.getSnapshot();
      if (final.value === 'failed') throw new Error('gateway stop failed', { cause: final.context.error });
    },
    async reconfigure(change) {
      if (change.auth) auth = change.auth;
      const { config: fileConfig } = change;
      if (fileConfig) for (const module of modules) await module.reconfigure?.(fileConfig);
    },
    async recordSystem(facts) {
      const result = await journal.append('system', facts);
      if (!result.ok) throw new Error(`system append refused: ${result.reason}`);
    },
  };
}


function parseFrame(data: Buffer): unknown {
  try {
    return JSON.parse(data.toString('utf8')) as unknown;
  } catch {
    return undefined; // not JSON: the connection machine decides what that means
  }
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

async function waitForPhase(supervisor: { getSnapshot(): { value: unknown }; subscribe(o: () => void): { unsubscribe(): void } }): Promise<void> {
  if (supervisor.getSnapshot().value !== 'starting') return;
  await new Promise<void>((resolve) => {
    const subscription = supervisor.subscribe(() => {
      if (supervisor.getSnapshot().value !== 'starting') {
        subscription.unsubscribe();
        resolve();
      }
    });
  });
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
