import { hostname, networkInterfaces, platform, release } from 'node:os';
import type { PresenceEntry } from '../../protocol/presence.js';
import type { Admission } from '../../machines/connection-rules.js';
import type { GatewaySocket } from '../transport/contract.js';

const FAMILY: Record<string, string> = { linux: 'Linux', darwin: 'macOS', win32: 'Windows' };

function primaryIpv4(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const address of list ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return undefined;
}

/** The gateway's own roster row, first in every roster (PROTOCOL.md §7). */
export function selfPresenceEntry(bootId: string, version: string, ts: number): PresenceEntry {
  const host = hostname() || 'gateway';
  const ip = primaryIpv4();
  const entry: PresenceEntry = {
    host,
    version,
    platform: `${platform()} ${release()}`,
    deviceFamily: FAMILY[platform()] ?? platform(),
    mode: 'gateway',
    reason: 'self',
    instanceId: bootId,
    text: `Gateway: ${host}${ip ? ` (${ip})` : ''} · app ${version} · mode gateway · reason self`,
    ts,
  };
  if (ip) entry.ip = ip;
  return entry;
}

/** The roster row of a tracked client that just connected. Loopback clients carry no `ip`. */
export function connectPresenceEntry(admission: Admission, socket: GatewaySocket, ts: number): PresenceEntry {
  const { client } = admission;
  const entry: PresenceEntry = {
    version: client.version,
    platform: client.platform,
    mode: client.mode,
    roles: [admission.role],
    reason: 'connect',
    onlineSince: ts,
    ts,
    text: `Node: ${client.displayName ?? 'unknown'} · mode ${client.mode}`,
  };
  if (client.displayName) entry.host = client.displayName;
  if (client.deviceFamily) entry.deviceFamily = client.deviceFamily;
  if (client.modelIdentifier) entry.modelIdentifier = client.modelIdentifier;
  if (client.instanceId) entry.instanceId = client.instanceId;
  if (admission.scopes.length > 0) entry.scopes = [...admission.scopes];
  if (!socket.isLoopback) entry.ip = socket.remoteAddress;
  const deviceId = admission.device?.params.device?.id;
  if (deviceId) {
    entry.deviceId = deviceId;
    if (admission.role === 'node') entry.instanceId = deviceId; // NODES.md §3.8: a node's row is keyed by its device
  }
  return entry;
}
