import { ERRORS } from '../../protocol/errors.js';
import type { NodeEventParams, NodeIdParams, NodePairRequest, NodeRenameParams, NodeRequestIdParams } from '../../protocol/nodes.js';
import { hasScope } from '../../protocol/scopes.js';
import type { DeviceRecord } from '../../store/devices.js';
import { isCommandAllowed } from '../../machines/device-pairing.js';
import { MethodError, type MethodContext, type MethodHandler } from '../gateway/methods/context.js';
import type { OutgoingEvent } from '../gateway/outgoing-event.js';
import type { DeviceConnection, NodesHub } from './hub.js';
import type { CloseDevice } from './device-methods.js';

const fail = (key: keyof typeof ERRORS, message?: string, details?: unknown): MethodError => new MethodError(key, message ?? ERRORS[key].message, details);

/** The commands of a node that are live now: declared on this socket ∩ approved ∩ current policy. */
export function effectiveSurface(hub: NodesHub, record: DeviceRecord | undefined, connection: DeviceConnection | undefined): { caps: string[]; commands: string[] } {
  const approved = record?.node.approved;
  if (!approved) return { caps: [], commands: [] };
  const platform = connection?.params.client.platform ?? record?.node.meta?.platform;
  const declaredCommands = connection ? connection.commands : approved.commands;
  const declaredCaps = connection ? connection.caps : approved.caps;
  return {
    caps: declaredCaps.filter((c) => approved.caps.includes(c)),
    commands: declaredCommands.filter((c) => approved.commands.includes(c) && isCommandAllowed(platform, c, hub.config.commands)),
  };
}

function approvalState(record: DeviceRecord | undefined): 'approved' | 'pending-approval' | 'unapproved' {
  if (record?.node.pending) return 'pending-approval';
  if (record?.node.approved) return 'approved';
  return 'unapproved';
}

/** One node as `node.list` / `node.describe` show it. */
export function nodeInfo(hub: NodesHub, nodeId: string): Record<string, unknown> {
  const record = hub.device(nodeId);
  const connection = hub.nodeConnection(nodeId);
  const client = connection?.params.client;
  const meta = record?.node.meta;
  const seen = hub.lastSeen.get(nodeId);
  const surface = effectiveSurface(hub, record, connection);
  const pending = record?.node.pending;
  const displayName = record?.node.displayName ?? client?.displayName ?? meta?.displayName;
  const platform = client?.platform ?? meta?.platform;
  const version = client?.version ?? meta?.version;
  const deviceFamily = client?.deviceFamily ?? meta?.deviceFamily;
  return {
    nodeId,
    ...(displayName !== undefined ? { displayName } : {}),
    ...(platform !== undefined ? { platform } : {}),
    ...(version !== undefined ? { version } : {}),
    clientId: client?.id ?? meta?.clientId ?? 'node-host',
    clientMode: client?.mode ?? meta?.clientMode ?? 'node',
    ...(deviceFamily !== undefined ? { deviceFamily } : {}),
    ...(client?.modelIdentifier !== undefined ? { modelIdentifier: client.modelIdentifier } : {}),
    caps: surface.caps,
    commands: surface.commands,
    ...(connection?.params.permissions !== undefined ? { permissions: connection.params.permissions } : {}),
    ...(connection?.params.pathEnv !== undefined ? { pathEnv: connection.params.pathEnv } : {}),
    approvalState: approvalState(record),
    ...(pending ? { pendingRequestId: pending.requestId, pendingDeclaredCaps: [...pending.caps], pendingDeclaredCommands: [...pending.commands] } : {}),
    ...(connection ? { connectedAtMs: connection.connectedAtMs, lastConnectedAtMs: connection.connectedAtMs } : {}),
    ...(hub.lastDisconnectedAtMs.has(nodeId) ? { lastDisconnectedAtMs: hub.lastDisconnectedAtMs.get(nodeId) } : {}),
    ...(seen ? { lastSeenAtMs: seen.atMs, lastSeenReason: seen.reason } : {}),
    ...(record?.node.approved ? { approvedAtMs: record.node.approved.approvedAtMs } : {}),
    ...(hub.hostStats.has(nodeId) ? { hostStats: hub.hostStats.get(nodeId) } : {}),
    paired: record?.paired?.roles.includes('node') === true,
    connected: connection !== undefined,
  };
}

/** A node with an approved surface, as `node.pair.list` and `node.pair.approve` show it. */
function pairedNodeEntry(hub: NodesHub, record: DeviceRecord): Record<string, unknown> | null {
  const approved = record.node.approved;
  if (!approved) return null;
  const meta = record.node.meta;
  const seen = hub.lastSeen.get(record.deviceId);
  const displayName = record.node.displayName ?? meta?.displayName;
  return {
    nodeId: record.deviceId,
    clientId: meta?.clientId ?? 'node-host',
    clientMode: meta?.clientMode ?? 'node',
    ...(displayName !== undefined ? { displayName } : {}),
    ...(meta?.platform !== undefined ? { platform: meta.platform } : {}),
    ...(meta?.version !== undefined ? { version: meta.version } : {}),
    ...(meta?.deviceFamily !== undefined ? { deviceFamily: meta.deviceFamily } : {}),
    caps: [...approved.caps],
    commands: [...approved.commands],
    createdAtMs: record.node.createdAtMs ?? approved.approvedAtMs,
    approvedAtMs: approved.approvedAtMs,
    ...(hub.lastDisconnectedAtMs.has(record.deviceId) ? { lastDisconnectedAtMs: hub.lastDisconnectedAtMs.get(record.deviceId) } : {}),
    ...(hub.hostStats.has(record.deviceId) ? { lastHostStats: hub.hostStats.get(record.deviceId) } : {}),
    ...(seen ? { lastSeenAtMs: seen.atMs, lastSeenReason: seen.reason } : {}),
  };
}

function pendingNodeRequest(hub: NodesHub, requestId: string): { record: DeviceRecord; request: NodePairRequest } {
  const found = hub.request(requestId);
  const record = found?.layer === 'node' ? hub.device(found.deviceId) : undefined;
  const request = record?.node.pending;
  if (!record || !request || request.requestId !== requestId) throw fail('UNKNOWN_PAIRING_REQUEST', `unknown requestId: ${requestId}`);
  return { record, request };
}

async function appendOrFail(hub: NodesHub, record: DeviceRecord, facts: Parameters<NodesHub['append']>[1]): Promise<void> {
  if (!(await hub.append(record.deviceId, facts, record.position))) throw fail('PAIRING_CHANGED', 'the node changed meanwhile; list again and retry');
}

/** The node of the calling socket, which must be a node. */
function callerNode(hub: NodesHub, context: MethodContext): { connection: DeviceConnection; record: DeviceRecord | undefined } {
  const connection = hub.connection(context.connId);
  if (!connection || connection.role !== 'node') throw fail('UNAUTHORIZED_ROLE', 'unauthorized role: node identity required');
  return { connection, record: hub.device(connection.deviceId) };
}

/** Publishing inventory needs an approved surface (NODES.md §2.5): else UNAVAILABLE and the node retries. */
function requireApprovedSurface(record: DeviceRecord | undefined): void {
  if (record?.node.approved && !record.node.pending) return;
  if (record?.node.pending) throw fail('NODE_SURFACE_PENDING');
  throw fail('NODE_SURFACE_NOT_CURRENT');
}

/** `node.pair.*`, `node.rename`, `node.list|describe` and the node-side publications. */
export function nodeMethods(hub: NodesHub, closeDevice: CloseDevice, publish: (event: OutgoingEvent) => void): Record<string, MethodHandler> {
  return {
    'node.pair.list': () => {
      const records = Object.values(hub.devices.devices);
      return {
        pending: records.map((r) => r.node.pending).filter((p): p is NodePairRequest => p !== null),
        paired: records.map((r) => pairedNodeEntry(hub, r)).filter((n): n is Record<string, unknown> => n !== null),
      };
    },
    'node.pair.approve': async (context: MethodContext, raw: unknown) => {
      const { requestId } = raw as NodeRequestIdParams;
      const { record, request } = pendingNodeRequest(hub, requestId);
      const missing = request.requiredApproveScopes.filter((s) => !hasScope(context.scopes, s));
      if (missing.length > 0) {
        throw fail('MISSING_SCOPE', `missing scope: ${missing[0]}`, { code: 'MISSING_SCOPE', missingScope: missing[0], requiredScopes: [...request.requiredApproveScopes] });
      }
      const now = context.services.now();
      await appendOrFail(hub, record, [{ type: 'node.pair.approved', data: { requestId, nodeId: record.deviceId, caps: [...request.caps], commands: [...request.commands], ts: now } }]);
      const after = hub.device(record.deviceId);
      return { requestId, node: after ? pairedNodeEntry(hub, after) : null };
    },
    'node.pair.reject': async (context: MethodContext, raw: unknown) => {
      const { requestId } = raw as NodeRequestIdParams;
      const { record } = pendingNodeRequest(hub, requestId);
      await appendOrFail(hub, record, [{ type: 'node.pair.rejected', data: { requestId, nodeId: record.deviceId, ts: context.services.now() } }]);
      return { requestId, nodeId: record.deviceId };
    },
    'node.pair.remove': async (context: MethodContext, raw: unknown) => {
      const { nodeId } = raw as NodeIdParams;
      const record = hub.device(nodeId);
      if (!record || (!record.paired?.roles.includes('node') && !record.node.approved && !record.node.pending)) throw fail('UNKNOWN_NODE', `unknown nodeId: ${nodeId}`);
      const now = context.services.now();
      const nodeOnly = (record.paired?.roles ?? []).every((r) => r === 'node');
      await appendOrFail(hub, record, [
        { type: 'node.pair.removed', data: { nodeId, ts: now } },
        nodeOnly ? { type: 'device.removed', data: { deviceId: nodeId, ts: now } } : { type: 'device.role.removed', data: { deviceId: nodeId, role: 'node', ts: now } },
      ]);
      closeDevice(nodeId, 'node');
      return { nodeId };
    },
    'node.rename': async (_context: MethodContext, raw: unknown) => {
      const { nodeId, displayName } = raw as NodeRenameParams;
      const record = hub.device(nodeId);
      if (!record || (!record.node.approved && !record.node.pending)) throw fail('UNKNOWN_NODE', `unknown nodeId: ${nodeId}`);
      await appendOrFail(hub, record, [{ type: 'node.renamed', data: { nodeId, displayName } }]);
      return { nodeId, displayName };
    },
    'node.list': (context: MethodContext) => {
      const ids = new Set<string>();
      for (const record of Object.values(hub.devices.devices)) if (record.paired?.roles.includes('node') || record.node.approved || record.node.pending) ids.add(record.deviceId);
      for (const connection of hub.nodeConnections()) ids.add(connection.deviceId);
      return { ts: context.services.now(), nodes: [...ids].sort().map((id) => nodeInfo(hub, id)) };
    },
    'node.describe': (context: MethodContext, raw: unknown) => {
      const { nodeId } = raw as NodeIdParams;
      const record = hub.device(nodeId);
      if (!hub.nodeConnection(nodeId) && !record?.paired?.roles.includes('node') && !record?.node.approved && !record?.node.pending) throw fail('UNKNOWN_NODE', 'unknown nodeId');
      return { ts: context.services.now(), ...nodeInfo(hub, nodeId) };
    },
    'node.event': (context: MethodContext, raw: unknown) => {
      const { event, payload, payloadJSON } = raw as NodeEventParams;
      const { connection } = callerNode(hub, context);
      const data = payload ?? parseJson(payloadJSON);
      if (event === 'node.host.stats') {
        const hostStats = { ...(typeof data === 'object' && data !== null ? data : {}), updatedAtMs: context.services.now() };
        hub.hostStats.set(connection.deviceId, hostStats);
        publish({ frame: { type: 'event', event: 'node.hostStats', payload: { nodeId: connection.deviceId, hostStats } }, scope: 'operator.read', droppable: true });
        return { ok: true, event, handled: true, reason: 'updated' };
      }
      if (event === 'exec.finished') return { ok: true, event, handled: true };
      return { ok: true, event, handled: false };
    },
    'node.runnerInventory.update': (context: MethodContext) => {
      const { connection, record } = callerNode(hub, context);
      requireApprovedSurface(record);
      publish({ frame: { type: 'event', event: 'node.runnerInventory.changed', payload: { nodeId: connection.deviceId } }, scope: 'operator.read', droppable: true });
      return { nodeId: connection.deviceId };
    },
    'node.skills.update': (context: MethodContext, raw: unknown) => {
      const { connection } = callerNode(hub, context);
      return { nodeId: connection.deviceId, skills: (raw as { skills?: unknown[] }).skills ?? [] };
    },
    'node.pluginTools.update': (context: MethodContext, raw: unknown) => {
      const { connection } = callerNode(hub, context);
      return { nodeId: connection.deviceId, tools: (raw as { tools?: unknown[] }).tools ?? [] };
    },
  };
}

function parseJson(text: string | null | undefined): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // not JSON: the event is acknowledged without a payload
  }
}
