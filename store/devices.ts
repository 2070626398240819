import type { FactData } from '../protocol/facts.js';
import type { DevicePairRequest, PairingReason } from '../protocol/devices.js';
import type { NodePairRequest } from '../protocol/nodes.js';
import type { Journal, JournalEntry } from './journal.js';
import { foldAll, type Projection } from './projection.js';

/** Streams of devices are `device:<deviceId>`. */
export const DEVICE_STREAM_PREFIX = 'device:';
/** The journal stream of one device. */
export const deviceStream = (deviceId: string): string => `${DEVICE_STREAM_PREFIX}${deviceId}`;

/** A role's device token, as journaled: only its hash. */
export interface DeviceTokenRecord {
  readonly hash: string;
  readonly scopes: readonly string[];
  readonly createdAtMs: number;
  readonly rotatedAtMs?: number;
}

/** The node capability surface of a device (nodeId = deviceId). */
export interface NodeSurfaceRecord {
  readonly approved: { readonly requestId: string; readonly caps: readonly string[]; readonly commands: readonly string[]; readonly approvedAtMs: number } | null;
  readonly pending: NodePairRequest | null;
  /** The last request was rejected and nothing is approved: approval state "unapproved". */
  readonly rejected: boolean;
  readonly displayName?: string;
  readonly createdAtMs?: number;
  /** Metadata of the last surface request. */
  readonly meta?: { clientId: string; clientMode: string; platform?: string; version?: string; deviceFamily?: string; displayName?: string };
}

/** One device folded from its stream. */
export interface DeviceRecord {
  readonly deviceId: string;
  readonly position: number;
  /** The approved identity, or null while never (or no longer) approved. */
  readonly paired: FactData<'device.pair.approved'> & { readonly createdAtMs: number } | null;
  readonly pending: { readonly request: DevicePairRequest; readonly reason: PairingReason } | null;
  readonly tokens: Readonly<Record<string, DeviceTokenRecord>>;
  readonly label?: string;
  readonly node: NodeSurfaceRecord;
}

/** Every device, plus an index of live request ids (device and node layers). */
export interface DevicesState {
  readonly devices: Readonly<Record<string, DeviceRecord>>;
  readonly requests: Readonly<Record<string, { readonly deviceId: string; readonly layer: 'device' | 'node' }>>;
}

const EMPTY_NODE: NodeSurfaceRecord = { approved: null, pending: null, rejected: false };

function emptyDevice(deviceId: string): DeviceRecord {
  return { deviceId, position: 0, paired: null, pending: null, tokens: {}, node: EMPTY_NODE };
}

function withoutKey<T>(record: Readonly<Record<string, T>>, key: string | undefined): Record<string, T> {
  const next = { ...record };
  if (key !== undefined) delete next[key];
  return next;
}

function foldDevice(device: DeviceRecord, entry: JournalEntry): DeviceRecord {
  const base = { ...device, position: entry.position };
  switch (entry.type) {
    case 'device.pair.requested': {
      const data = entry.data as FactData<'device.pair.requested'>;
      return { ...base, pending: { request: data.request, reason: data.reason } };
    }
    case 'device.pair.approved': {
      const data = entry.data as FactData<'device.pair.approved'>;
      return { ...base, pending: null, paired: { ...data, createdAtMs: device.paired?.createdAtMs ?? data.ts } };
    }
    case 'device.pair.rejected':
      return { ...base, pending: device.pending?.request.requestId === (entry.data as FactData<'device.pair.rejected'>).requestId ? null : device.pending };
    case 'device.token.issued': {
      const data = entry.data as FactData<'device.token.issued'>;
      const token: DeviceTokenRecord = { hash: data.hash, scopes: data.scopes, createdAtMs: data.createdAtMs, ...(data.rotatedAtMs !== undefined ? { rotatedAtMs: data.rotatedAtMs } : {}) };
      return { ...base, tokens: { ...device.tokens, [data.role]: token } };
    }
    case 'device.token.revoked':
      return { ...base, tokens: withoutKey(device.tokens, (entry.data as FactData<'device.token.revoked'>).role) };
    case 'device.role.removed': {
      const role = (entry.data as FactData<'device.role.removed'>).role;
      const paired = device.paired ? { ...device.paired, roles: device.paired.roles.filter((r) => r !== role) } : null;
      return { ...base, paired, tokens: withoutKey(device.tokens, role), node: role === 'node' ? EMPTY_NODE : device.node };
    }
    case 'device.removed':
      return { ...emptyDevice(device.deviceId), position: entry.position };
    case 'device.renamed':
      return { ...base, label: (entry.data as FactData<'device.renamed'>).label };
    case 'node.pair.requested': {
      const request = (entry.data as FactData<'node.pair.requested'>).request;
      const meta = {
        clientId: request.clientId, clientMode: request.clientMode,
        ...(request.platform !== undefined ? { platform: request.platform } : {}),
        ...(request.version !== undefined ? { version: request.version } : {}),
        ...(request.deviceFamily !== undefined ? { deviceFamily: request.deviceFamily } : {}),
        ...(request.displayName !== undefined ? { displayName: request.displayName } : {}),
      };
      return { ...base, node: { ...device.node, pending: request, meta, createdAtMs: device.node.createdAtMs ?? request.ts } };
    }
    case 'node.pair.approved': {
      const data = entry.data as FactData<'node.pair.approved'>;
      return { ...base, node: { ...device.node, pending: null, rejected: false, approved: { requestId: data.requestId, caps: data.caps, commands: data.commands, approvedAtMs: data.ts } } };
    }
    case 'node.pair.rejected':
      return { ...base, node: { ...device.node, pending: null, rejected: device.node.approved === null } };
    case 'node.pair.removed':
      return { ...base, node: EMPTY_NODE };
    case 'node.renamed':
      return { ...base, node: { ...device.node, displayName: (entry.data as FactData<'node.renamed'>).displayName } };
    default:
      return base;
  }
}

function requestIdsOf(device: DeviceRecord | undefined): Array<[string, 'device' | 'node']> {
  if (!device) return [];
  const ids: Array<[string, 'device' | 'node']> = [];
  if (device.pending) ids.push([device.pending.request.requestId, 'device']);
  if (device.node.pending) ids.push([device.node.pending.requestId, 'node']);
  return ids;
}

/** Folds the `device:*` streams: pairing state, token hashes and node surfaces per device. */
export const devicesProjection: Projection<DevicesState> = {
  name: 'devices',
  initial: () => ({ devices: {}, requests: {} }),
  fold(state, entry) {
    if (!entry.stream.startsWith(DEVICE_STREAM_PREFIX)) return state;
    const deviceId = entry.stream.slice(DEVICE_STREAM_PREFIX.length);
    const before = state.devices[deviceId];
    if (before && entry.position <= before.position) return state; // applied already
    const after = foldDevice(before ?? emptyDevice(deviceId), entry);
    let requests: Record<string, { deviceId: string; layer: 'device' | 'node' }> = { ...state.requests };
    for (const [id] of requestIdsOf(before)) requests = withoutKey(requests, id);
    for (const [id, layer] of requestIdsOf(after)) requests[id] = { deviceId, layer };
    return { devices: { ...state.devices, [deviceId]: after }, requests };
  },
};

/** Rebuilds the devices state from every `device:*` stream of the journal. */
export function rebuildDevices(journal: Journal): DevicesState {
  return foldAll(devicesProjection, devicesProjection.initial(), journal.readStreamsWithPrefix(DEVICE_STREAM_PREFIX));
}
