import { ERRORS } from '../../protocol/errors.js';
import type { Fact } from '../../protocol/facts.js';
import type {
  DeviceIdParams, DevicePairRenameParams, DevicePairRequestIdParams, DeviceTokenRevokeParams, DeviceTokenRotateParams, PairedDevice,
} from '../../protocol/devices.js';
import { hasScope } from '../../protocol/scopes.js';
import type { DeviceRecord } from '../../store/devices.js';
import { livePending } from '../../machines/device-pairing.js';
import { MethodError, type MethodContext, type MethodHandler } from '../gateway/methods/context.js';
import type { NodesHub } from './hub.js';
import { hashDeviceToken, mintDeviceToken } from './tokens.js';

/** Closes every socket of a device (4001 "device removed"). */
export type CloseDevice = (deviceId: string, role?: string) => void;

/** A paired device as `device.pair.list` shows it. */
export function pairedDeviceEntry(hub: NodesHub, record: DeviceRecord): PairedDevice | null {
  const paired = record.paired;
  if (!paired || paired.roles.length === 0) return null;
  const seen = hub.lastSeen.get(record.deviceId);
  return {
    deviceId: record.deviceId,
    publicKey: paired.publicKey,
    ...(paired.displayName !== undefined ? { displayName: paired.displayName } : {}),
    ...(paired.platform !== undefined ? { platform: paired.platform } : {}),
    ...(paired.deviceFamily !== undefined ? { deviceFamily: paired.deviceFamily } : {}),
    clientId: paired.clientId,
    clientMode: paired.clientMode,
    role: paired.roles.includes(paired.role) ? paired.role : (paired.roles[0] ?? paired.role),
    roles: [...paired.roles],
    scopes: [...paired.scopes],
    approvedVia: paired.approvedVia,
    ...(record.label !== undefined ? { label: record.label } : {}),
    createdAtMs: paired.createdAtMs,
    approvedAtMs: paired.ts,
    ...(seen ? { lastSeenAtMs: seen.atMs, lastSeenReason: seen.reason } : {}),
    connected: hub.connectionsOf(record.deviceId).length > 0,
    tokens: Object.entries(record.tokens).map(([role, token]) => ({
      role, scopes: [...token.scopes], createdAtMs: token.createdAtMs, ...(token.rotatedAtMs !== undefined ? { rotatedAtMs: token.rotatedAtMs } : {}),
    })),
  };
}

function pendingDeviceRequest(hub: NodesHub, requestId: string, now: number): DeviceRecord {
  const found = hub.request(requestId);
  const record = found?.layer === 'device' ? hub.device(found.deviceId) : undefined;
  if (!record?.pending || !livePending(hub.pairingView(record, now), now)) throw new MethodError('UNKNOWN_PAIRING_REQUEST', `unknown requestId: ${requestId}`);
  return record;
}

async function appendOrFail(hub: NodesHub, record: DeviceRecord, facts: Fact[]): Promise<void> {
  if (!(await hub.append(record.deviceId, facts, record.position))) {
    throw new MethodError('UNKNOWN_PAIRING_REQUEST', 'the device changed meanwhile; list again and retry');
  }
}

/** `device.pair.*` and `device.token.*` (NODES.md §2.4, §2.6). */
export function deviceMethods(hub: NodesHub, closeDevice: CloseDevice): Record<string, MethodHandler> {
  return {
    'device.pair.list': (context: MethodContext) => {
      const now = context.services.now();
      const records = Object.values(hub.devices.devices);
      return {
        pending: records.filter((r) => r.pending && hub.pairingView(r, now).pending).map((r) => r.pending?.request),
        paired: records.map((r) => pairedDeviceEntry(hub, r)).filter((d): d is PairedDevice => d !== null),
      };
    },
    'device.pair.approve': async (context: MethodContext, raw: unknown) => {
      const { requestId } = raw as DevicePairRequestIdParams;
      const now = context.services.now();
      const record = pendingDeviceRequest(hub, requestId, now);
      const request = record.pending?.request;
      if (!request) throw new MethodError('UNKNOWN_PAIRING_REQUEST', `unknown requestId: ${requestId}`);
      if (request.role !== 'operator' && !hasScope(context.scopes, 'operator.admin')) throw new MethodError('PAIRING_APPROVAL_DENIED', ERRORS.PAIRING_APPROVAL_DENIED.message);
      if (request.role === 'operator' && !request.scopes.every((s) => hasScope(context.scopes, s))) throw new MethodError('PAIRING_APPROVAL_DENIED', ERRORS.PAIRING_APPROVAL_DENIED.message);
      const roles = [...new Set([...(record.paired?.roles ?? []), request.role])];
      const scopes = [...new Set([...(record.paired?.scopes ?? []), ...request.scopes])];
      const token = mintDeviceToken();
      const current = record.tokens[request.role];
      await appendOrFail(hub, record, [
        {
          type: 'device.pair.approved',
          data: {
            requestId, deviceId: record.deviceId, publicKey: request.publicKey,
            ...(request.displayName !== undefined ? { displayName: request.displayName } : {}),
            ...(request.platform !== undefined ? { platform: request.platform } : {}),
            ...(request.deviceFamily !== undefined ? { deviceFamily: request.deviceFamily } : {}),
            clientId: request.clientId, clientMode: request.clientMode, role: request.role, roles, scopes, approvedVia: 'owner', ts: now,
          },
        },
        {
          type: 'device.token.issued',
          data: {
            deviceId: record.deviceId, role: request.role, scopes: request.role === 'operator' ? [...request.scopes] : [],
            hash: hashDeviceToken(token), createdAtMs: current?.createdAtMs ?? now, ...(current ? { rotatedAtMs: now } : {}),
          },
        },
      ]);
      hub.rememberToken(record.deviceId, request.role, token);
      const after = hub.device(record.deviceId);
      return { requestId, device: after ? pairedDeviceEntry(hub, after) : null };
    },
    'device.pair.reject': async (context: MethodContext, raw: unknown) => {
      const { requestId } = raw as DevicePairRequestIdParams;
      const now = context.services.now();
      const record = pendingDeviceRequest(hub, requestId, now);
      await appendOrFail(hub, record, [{ type: 'device.pair.rejected', data: { requestId, deviceId: record.deviceId, reason: 'rejected', ts: now } }]);
      return { requestId, deviceId: record.deviceId };
    },
    'device.pair.remove': async (context: MethodContext, raw: unknown) => {
      const { deviceId } = raw as DeviceIdParams;
      const record = hub.device(deviceId);
      if (!record || (!record.paired && !record.pending)) throw new MethodError('UNKNOWN_DEVICE', `unknown deviceId: ${deviceId}`);
      await appendOrFail(hub, record, [{ type: 'device.removed', data: { deviceId, ts: context.services.now() } }]);
      closeDevice(deviceId);
      return { deviceId };
    },
    'device.pair.rename': async (_context: MethodContext, raw: unknown) => {
      const { deviceId, label } = raw as DevicePairRenameParams;
      const record = hub.device(deviceId);
      if (!record?.paired) throw new MethodError('UNKNOWN_DEVICE', `unknown deviceId: ${deviceId}`);
      await appendOrFail(hub, record, [{ type: 'device.renamed', data: { deviceId, label } }]);
      return { deviceId, label };
    },
    'device.token.rotate': async (context: MethodContext, raw: unknown) => {
      const { deviceId, role, scopes } = raw as DeviceTokenRotateParams;
      if (role !== 'operator' && !hasScope(context.scopes, 'operator.admin')) {
        throw new MethodError('MISSING_SCOPE', 'missing scope: operator.admin', { code: 'MISSING_SCOPE', missingScope: 'operator.admin', requiredScopes: ['operator.admin'] });
      }
      const record = hub.device(deviceId);
      if (!record?.paired?.roles.includes(role)) throw new MethodError('UNKNOWN_DEVICE', `unknown deviceId/role: ${deviceId}/${role}`);
      const now = context.services.now();
      const current = record.tokens[role];
      const granted = role === 'operator' ? (scopes ?? current?.scopes ?? record.paired.scopes).filter((s) => hasScope(record.paired?.scopes ?? [], s)) : [];
      const token = mintDeviceToken();
      await appendOrFail(hub, record, [{
        type: 'device.token.issued',
        data: { deviceId, role, scopes: [...granted], hash: hashDeviceToken(token), createdAtMs: current?.createdAtMs ?? now, rotatedAtMs: now },
      }]);
      hub.rememberToken(deviceId, role, token);
      const caller = hub.connection(context.connId);
      const inBand = caller?.deviceId === deviceId && caller.authMethod === 'device-token';
      return { deviceId, role, scopes: [...granted], rotatedAtMs: now, tokenDelivery: inBand ? 'in-band' : 'withheld-cross-device', ...(inBand ? { token } : {}) };
    },
    'device.token.revoke': async (context: MethodContext, raw: unknown) => {
      const { deviceId, role } = raw as DeviceTokenRevokeParams;
      if (role !== 'operator' && !hasScope(context.scopes, 'operator.admin')) {
        throw new MethodError('MISSING_SCOPE', 'missing scope: operator.admin', { code: 'MISSING_SCOPE', missingScope: 'operator.admin', requiredScopes: ['operator.admin'] });
      }
      const record = hub.device(deviceId);
      if (!record?.tokens[role]) throw new MethodError('UNKNOWN_DEVICE', `no ${role} token for device ${deviceId}`);
      const now = context.services.now();
      await appendOrFail(hub, record, [{ type: 'device.token.revoked', data: { deviceId, role, ts: now } }]);
      return { deviceId, role, revokedAtMs: now };
    },
  };
}
