import type { ConnectParams } from '../../protocol/connect.js';
import type { Fact } from '../../protocol/facts.js';
import type { Journal, JournalEntry } from '../../store/journal.js';
import { devicesProjection, deviceStream, rebuildDevices, type DeviceRecord, type DevicesState } from '../../store/devices.js';
import { livePending, type CommandPolicy, type DevicePairingView } from '../../machines/device-pairing.js';
import { hashDeviceToken } from './tokens.js';

/** `gateway.nodes.*` as the gateway runs with it. */
export interface NodesConfig {
  /** `gateway.nodes.pairing.autoApproveLocal` (default true). */
  readonly autoApproveLocal: boolean;
  readonly commands: CommandPolicy;
}

export const DEFAULT_NODES_CONFIG: NodesConfig = { autoApproveLocal: true, commands: { allow: [], deny: [] } };

/** One admitted socket of a device. */
export interface DeviceConnection {
  readonly connId: string;
  readonly deviceId: string;
  readonly role: string;
  readonly params: ConnectParams;
  /** Declared commands the pairing allowlist kept. */
  readonly commands: readonly string[];
  readonly caps: readonly string[];
  readonly connectedAtMs: number;
  /** How the socket authenticated (`device-token` when by this device's token). */
  readonly authMethod: string;
}

/**
 * The live side of devices and nodes: the devices state folded from the journal (kept current
 * at every commit), which sockets belong to which device, device tokens minted by this process
 * (a restart only has their hashes), host stats and last-seen times (not journaled).
 */
export class NodesHub {
  private state: DevicesState;
  private readonly connections = new Map<string, DeviceConnection>();
  private readonly plainTokens = new Map<string, string>();
  readonly hostStats = new Map<string, unknown>();
  readonly lastSeen = new Map<string, { atMs: number; reason: string }>();
  readonly lastDisconnectedAtMs = new Map<string, number>();

  constructor(
    readonly journal: Journal,
    readonly config: NodesConfig,
  ) {
    this.state = rebuildDevices(journal);
  }

  /** Folds committed entries of `device:*` streams (called at every commit, before events go out). */
  apply(entries: readonly JournalEntry[]): void {
    for (const entry of entries) this.state = devicesProjection.fold(this.state, entry);
  }

  get devices(): DevicesState {
    return this.state;
  }

  device(deviceId: string): DeviceRecord | undefined {
    return this.state.devices[deviceId];
  }

  /** The device a live request id belongs to, and which layer it asks about. */
  request(requestId: string): { deviceId: string; layer: 'device' | 'node' } | undefined {
    return this.state.requests[requestId];
  }

  /** The pairing rules' view of a device at `now`. */
  pairingView(record: DeviceRecord | undefined, now: number): DevicePairingView {
    const paired = record?.paired
      ? { roles: record.paired.roles, scopes: record.paired.scopes, platform: record.paired.platform, deviceFamily: record.paired.deviceFamily }
      : null;
    const pending = record?.pending ? { requestId: record.pending.request.requestId, role: record.pending.request.role, scopes: record.pending.request.scopes, ts: record.pending.request.ts } : null;
    return livePending({ paired, pending }, now) === null ? { paired, pending: null } : { paired, pending };
  }

  /** Appends facts to a device's stream, only if nothing was appended since `position`. */
  async append(deviceId: string, facts: readonly Fact[], position: number): Promise<boolean> {
    const result = await this.journal.append(deviceStream(deviceId), facts, { expectedPosition: position });
    return result.ok;
  }

  /** Remembers a token minted here so a later connect of the same device gets the same one back. */
  rememberToken(deviceId: string, role: string, token: string): void {
    this.plainTokens.set(`${deviceId}|${role}`, token);
  }

  /** The token of (device, role) if this process minted it and it is still the current one. */
  knownToken(deviceId: string, role: string): string | undefined {
    const token = this.plainTokens.get(`${deviceId}|${role}`);
    const current = this.device(deviceId)?.tokens[role];
    return token !== undefined && current !== undefined && hashDeviceToken(token) === current.hash ? token : undefined;
  }

  connected(connection: DeviceConnection): void {
    this.connections.set(connection.connId, connection);
    this.lastSeen.set(connection.deviceId, { atMs: connection.connectedAtMs, reason: 'connect' });
  }

  /** Forgets a closed socket; returns what it was. */
  disconnected(connId: string, now: number): DeviceConnection | undefined {
    const connection = this.connections.get(connId);
    if (!connection) return undefined;
    this.connections.delete(connId);
    this.lastSeen.set(connection.deviceId, { atMs: now, reason: 'disconnect' });
    if (connection.role === 'node') this.lastDisconnectedAtMs.set(connection.deviceId, now);
    return connection;
  }

  /** Live sockets of a device (optionally of one role). */
  connectionsOf(deviceId: string, role?: string): DeviceConnection[] {
    return [...this.connections.values()].filter((c) => c.deviceId === deviceId && (role === undefined || c.role === role));
  }

  /** The newest live node socket of `nodeId`. */
  nodeConnection(nodeId: string): DeviceConnection | undefined {
    return this.connectionsOf(nodeId, 'node').at(-1);
  }

  connection(connId: string): DeviceConnection | undefined {
    return this.connections.get(connId);
  }

  /** Every live node socket. */
  nodeConnections(): DeviceConnection[] {
    return [...this.connections.values()].filter((c) => c.role === 'node');
  }
}
