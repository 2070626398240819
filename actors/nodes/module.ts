import { ERRORS } from '../../protocol/errors.js';
import { DEVICE_STREAM_PREFIX } from '../../store/devices.js';
import type { GatewayModule, GatewayModuleFactory } from '../gateway/module.js';
import { admitDevice } from './device-gate.js';
import { deviceMethods } from './device-methods.js';
import { pairingEventOf } from './events.js';
import { DEFAULT_NODES_CONFIG, NodesHub, type NodesConfig } from './hub.js';

/** Wire methods this module answers (the registry test counts them as handled). */
export const NODES_METHODS = [
  'device.pair.list', 'device.pair.approve', 'device.pair.reject', 'device.pair.remove', 'device.pair.rename',
  'device.token.rotate', 'device.token.revoke',
] as const;

/**
 * Devices and nodes: the device step of `connect`, device pairing and tokens, the node surface
 * and `node.*`. Always present (a node must never be admitted unverified); costs a fold of the
 * `device:*` streams at start and nothing per connect without a `device`.
 */
export const nodesModule =
  (config: NodesConfig = DEFAULT_NODES_CONFIG): GatewayModuleFactory =>
  (services): GatewayModule => {
    const hub = new NodesHub(services.journal, config);
    services.journal.onCommit((entries) => hub.apply(entries.filter((e) => e.stream.startsWith(DEVICE_STREAM_PREFIX))));
    const closeDevice = (deviceId: string, role?: string) => {
      for (const connection of hub.connectionsOf(deviceId, role)) {
        services.closeConnection(connection.connId, ERRORS.DEVICE_REMOVED.close, ERRORS.DEVICE_REMOVED.message);
      }
    };
    return {
      name: 'nodes',
      methods: { ...deviceMethods(hub, closeDevice) },
      eventOf: (entry) => (entry.stream.startsWith(DEVICE_STREAM_PREFIX) ? pairingEventOf(entry) : null),
      admitDevice: (request) => admitDevice(hub, { ...request, now: services.now }),
      connectionClosed: (connId) => {
        hub.disconnected(connId, services.now());
      },
    };
  };
