import type { Static } from '@sinclair/typebox';
import type { SystemEventParams, WakeParams, StatusResult } from '../../../protocol/methods/system.js';
import type { HealthParams } from '../../../protocol/methods/system.js';
import type { PresenceEntry } from '../../../protocol/presence.js';
import type { FactData } from '../../../protocol/facts.js';
import { rosterOf } from '../../../store/presence.js';
import { GATEWAY_STREAM } from '../../../store/gateway-view.js';
import { MethodError, normalizeSessionKey, sessionStream, type MethodContext, type MethodHandler } from './context.js';

/**
 * `health`: the last journaled snapshot with the live event-loop figures (a journaled snapshot's
 * ratios describe the window it was taken in, start-up for the first), or a live one when
 * `probe:true` or none exists.
 */
export const health: MethodHandler = ({ services }, params) => {
  const { probe } = params as Static<typeof HealthParams>;
  const last = services.view().health.last;
  if (probe || !last) return services.liveHealth();
  const { eventLoop } = services.liveHealth();
  return { ...last, ts: services.now(), ...(eventLoop ? { eventLoop } : {}) };
};

/** `system-presence`: the roster (the method requires operator.read). */
export const systemPresence: MethodHandler = ({ services }) => rosterOf(services.view().presence, services.now());

const QUEUED_SHOWN = 20;

/** `status`: the runtime summary the official `openclaw status` reads. */
export const status: MethodHandler = ({ services }): StatusResult => {
  const mainKey = normalizeSessionKey('main', services.defaultAgentId);
  const queued = services.journal
    .tail(QUEUED_SHOWN, sessionStream(mainKey))
    .filter((e) => e.type === 'system.event.queued')
    .map((e) => (e.data as FactData<'system.event.queued'>).text);
  const memory = process.memoryUsage();
  const sessionsPath = services.journal.path;
  return {
    runtimeVersion: services.version,
    pid: services.pid,
    uptimeMs: services.now() - services.startedAt,
    transport: services.transportKind(),
    heartbeat: {
      defaultAgentId: services.defaultAgentId,
      agents: services.agents.map((a) => ({ agentId: a.id, enabled: false, every: 'disabled', everyMs: null })),
    },
    channelSummary: [],
    queuedSystemEvents: queued,
    sessions: {
      paths: [sessionsPath],
      count: 0,
      defaults: { model: services.agents.find((a) => a.isDefault)?.model ?? null, contextTokens: null },
      recent: [],
      byAgent: services.agents.map((a) => ({ agentId: a.id, path: sessionsPath, count: 0, recent: [] })),
    },
    tasks: { total: 0, active: 0 },
    journal: {
      path: services.journal.path,
      lastSeq: services.journal.lastSeq(),
      gatewayPosition: services.view().position,
    },
    processMemory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
    connections: services.connectionCount(),
  };
};

const NODE_LINE = /^Node:\s*([^\s·(]+)/;

/** The presence key a beacon merges under: device id, instance id, host, or the text itself. */
export function beaconKey(params: SystemEventParams, text: string): string {
  const host = params.host ?? NODE_LINE.exec(text)?.[1];
  const id = params.deviceId ?? params.instanceId ?? host ?? text;
  return `beacon:${id.toLowerCase()}`;
}

/** How long a `system-event` idempotency key deduplicates (the official DEDUPE_TTL_MS). */
export const SYSTEM_EVENT_DEDUPE_MS = 5 * 60_000;
/** How far back in a session stream a duplicate key is looked for. */
const DEDUPE_SCAN = 1000;
/** Appends in flight by idempotency key: a retry arriving before the first commit waits for it. */
const inFlight = new Map<string, Promise<unknown>>();

/** True when the session stream already holds this key, journaled within the dedupe window. */
function alreadyQueued(services: MethodContext['services'], sessionKey: string, key: string): boolean {
  const since = services.now() - SYSTEM_EVENT_DEDUPE_MS;
  return services.journal
    .tail(DEDUPE_SCAN, sessionStream(sessionKey))
    .some((e) => e.ts >= since && e.type === 'system.event.queued' && (e.data as FactData<'system.event.queued'>).idempotencyKey === key);
}

/**
 * `system-event`: journals a presence beacon and queues the text on a session. A retry with the
 * same `idempotencyKey` within five minutes changes nothing and answers `{ok:true}` again: the
 * journal is what says the first one happened.
 */
export const systemEvent: MethodHandler = async (context, raw) => {
  const params = raw as SystemEventParams;
  const key = params.idempotencyKey;
  if (!key) return journalSystemEvent(context, params);
  const sessionKey = normalizeSessionKey(params.sessionKey, context.services.defaultAgentId);
  const flightKey = `${sessionKey}\u0000${key}`;
  const pending = inFlight.get(flightKey);
  if (pending) {
    await pending;
    return { ok: true };
  }
  if (alreadyQueued(context.services, sessionKey, key)) return { ok: true };
  const append = journalSystemEvent(context, params);
  inFlight.set(flightKey, append);
  try {
    return await append;
  } finally {
    inFlight.delete(flightKey);
  }
};

async function journalSystemEvent({ services }: MethodContext, params: SystemEventParams): Promise<{ ok: true }> {
  const text = params.text.trim();
  if (text.length === 0) throw new MethodError('INVALID_PARAMS', 'text required');
  const ts = services.now();
  const entry: PresenceEntry = { ts, text };
  const copy = ['host', 'ip', 'version', 'platform', 'deviceFamily', 'modelIdentifier', 'mode', 'reason', 'deviceId', 'instanceId'] as const;
  for (const field of copy) if (params[field] !== undefined) entry[field] = params[field];
  if (params.roles) entry.roles = params.roles;
  if (params.scopes) entry.scopes = params.scopes;
  if (params.lastInputSeconds !== undefined) entry.lastInputSeconds = Math.floor(params.lastInputSeconds);
  const sessionKey = normalizeSessionKey(params.sessionKey, services.defaultAgentId);
  const beacon = services.journal.append(GATEWAY_STREAM, [{ type: 'presence.beaconed', data: { key: beaconKey(params, text), entry } }]);
  const queued = services.journal.append(sessionStream(sessionKey), [
    {
      type: 'system.event.queued',
      data: { text, source: 'system-event', ...(params.idempotencyKey ? { idempotencyKey: params.idempotencyKey } : {}) },
    },
  ]);
  await Promise.all([beacon, queued]);
  return { ok: true };
}

/** `wake`: queues the text on a session with the wake mode. */
export const wake: MethodHandler = async ({ services }, raw) => {
  const params = raw as WakeParams;
  const text = params.text.trim();
  if (text.length === 0) throw new MethodError('INVALID_PARAMS', 'text required');
  const sessionKey = params.sessionKey
    ? normalizeSessionKey(params.sessionKey, services.defaultAgentId)
    : normalizeSessionKey('main', params.agentId ?? services.defaultAgentId);
  await services.journal.append(sessionStream(sessionKey), [{ type: 'system.event.queued', data: { text, source: 'wake', mode: params.mode } }]);
  return { ok: true };
};

/** `last-heartbeat`: heartbeats are produced by agent runs; until one is journaled this is null. */
export const lastHeartbeat: MethodHandler = () => null;
