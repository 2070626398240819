import type { Static } from '@sinclair/typebox';
import type { SystemEventParams, WakeParams, StatusResult } from '../../protocol/methods/system.js';
import type { HealthParams } from '../../protocol/methods/system.js';
import type { PresenceEntry } from '../../protocol/presence.js';
import type { FactData } from '../../protocol/facts.js';
import { rosterOf } from '../../store/presence.js';
import { GATEWAY_STREAM } from '../../store/gateway-view.js';
import { MethodError, normalizeSessionKey, sessionStream, type MethodHandler } from './context.js';

/** `health`: the last journaled snapshot, or a live one when `probe:true` or none exists. */
export const health: MethodHandler = ({ services }, params) => {
  const { probe } = params as Static<typeof HealthParams>;
  const last = services.view().health.last;
  return probe || !last ? services.liveHealth() : { ...last, ts: services.now() };
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

/** `system-event`: journals a presence beacon and queues the text on a session. */
export const systemEvent: MethodHandler = async ({ services }, raw) => {
  const params = raw as SystemEventParams;
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
};

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
