import { defineCommand } from 'citty';
import { pairingVerb, rpc } from './device-rpc.js';

interface DeviceRow { deviceId: string; displayName?: string; roles?: string[]; role?: string; approvedVia?: string; connected?: boolean }
interface PendingDevice { requestId: string; deviceId: string; role: string; displayName?: string }

const deviceId = { device: { type: 'string', description: 'Device id', required: true } } as const;
const requestId = { requestId: { type: 'positional', description: 'Request id (see `devices list`)', required: true } } as const;

/** `openclaw devices list|approve|reject|rotate|revoke|remove`. */
export const devicesCommand = defineCommand({
  meta: { name: 'devices', description: 'Device pairing and device tokens' },
  subCommands: {
    list: pairingVerb({
      name: 'list', description: 'Pending and paired devices',
      call: (f) => rpc(f, 'device.pair.list', {}, ['operator.pairing']),
      human: (p) => {
        const { pending, paired } = p as { pending: PendingDevice[]; paired: DeviceRow[] };
        return [
          `pending (${pending.length}):`, ...pending.map((r) => `  ${r.requestId}  ${r.deviceId}  ${r.role}  ${r.displayName ?? '-'}`),
          `paired (${paired.length}):`, ...paired.map((d) => `  ${d.deviceId}  ${(d.roles ?? []).join(',')}  ${d.approvedVia ?? ''}  ${d.connected ? 'connected' : ''}`),
        ].join('\n');
      },
    }),
    approve: pairingVerb({
      name: 'approve', description: 'Approve a pending device', args: requestId,
      call: (f) => rpc(f, 'device.pair.approve', { requestId: f.requestId }, ['operator.pairing', 'operator.admin']),
      human: (p) => `approved ${(p as { device?: DeviceRow }).device?.deviceId ?? ''}`,
    }),
    reject: pairingVerb({
      name: 'reject', description: 'Reject a pending device', args: requestId,
      call: (f) => rpc(f, 'device.pair.reject', { requestId: f.requestId }, ['operator.pairing']),
      human: (p) => `rejected ${(p as { deviceId: string }).deviceId}`,
    }),
    rotate: pairingVerb({
      name: 'rotate', description: "Rotate a role's device token", args: { ...deviceId, role: { type: 'string', description: 'Role (operator|node)', required: true } },
      call: (f) => rpc(f, 'device.token.rotate', { deviceId: f.device, role: f.role }, ['operator.pairing', 'operator.admin']),
      human: (p) => `rotated ${(p as { deviceId: string }).deviceId} (${(p as { tokenDelivery: string }).tokenDelivery})`,
    }),
    revoke: pairingVerb({
      name: 'revoke', description: "Revoke a role's device token", args: { ...deviceId, role: { type: 'string', description: 'Role (operator|node)', required: true } },
      call: (f) => rpc(f, 'device.token.revoke', { deviceId: f.device, role: f.role }, ['operator.pairing', 'operator.admin']),
      human: (p) => `revoked ${(p as { deviceId: string }).deviceId} ${(p as { role: string }).role}`,
    }),
    remove: pairingVerb({
      name: 'remove', description: 'Remove a device (its sockets close 4001)', args: deviceId,
      call: (f) => rpc(f, 'device.pair.remove', { deviceId: f.device }, ['operator.pairing', 'operator.admin']),
      human: (p) => `removed ${(p as { deviceId: string }).deviceId}`,
    }),
  },
});
