import { ERRORS } from '../../protocol/errors.js';
import type { FactData } from '../../protocol/facts.js';
import { DEVICE_STREAM_PREFIX } from '../../store/devices.js';
import type { JournalEntry } from '../../store/journal.js';
import type { GatewayModule, GatewayModuleFactory } from '../gateway/module.js';
import { admitDevice } from './device-gate.js';
import { deviceMethods } from './device-methods.js';
import { pairingEventOf } from './events.js';
import { DEFAULT_NODES_CONFIG, NodesHub, type NodesConfig } from './hub.js';
import { NodeInvokes } from './invoke.js';
import { nodeMethods } from './node-methods.js';

/** Wire methods this module answers (the registry test counts them as handled). */
export const NODES_METHODS = [
  'device.pair.list', 'device.pair.approve', 'device.pair.reject', 'device.pair.remove', 'device.pair.rename',
  'device.token.rotate', 'device.token.revoke',
  'node.list', 'node.describe', 'node.rename', 'node.invoke', 'node.pair.list', 'node.pair.approve', 'node.pair.reject',
  'node.pair.remove', 'node.invoke.result', 'node.event', 'node.runnerInventory.update', 'node.skills.update', 'node.pluginTools.update',
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
    const invokes = new NodeInvokes(hub, services);
    const afterCommit = (entry: JournalEntry) => {
      if (entry.type === 'node.pair.approved') {
        // The node itself hears of its approval too (no seq: a targeted event).
        const data = entry.data as FactData<'node.pair.approved'>;
        const payload = { requestId: data.requestId, nodeId: data.nodeId, decision: 'approved', ts: data.ts };
        for (const c of hub.connectionsOf(data.nodeId, 'node')) services.sendTo(c.connId, { type: 'event', event: 'node.pair.resolved', payload });
      }
      if (entry.type === 'node.pair.removed') invokes.pairingChanged((entry.data as FactData<'node.pair.removed'>).nodeId);
    };
    services.journal.onCommit((entries) => {
      const mine = entries.filter((e) => e.stream.startsWith(DEVICE_STREAM_PREFIX));
      if (mine.length === 0) return;
      hub.apply(mine);
      mine.forEach(afterCommit);
    });
    const closeDevice = (deviceId: string, role?: string) => {
      for (const connection of hub.connectionsOf(deviceId, role)) {
        services.closeConnection(connection.connId, ERRORS.DEVICE_REMOVED.close, ERRORS.DEVICE_REMOVED.message);
      }
    };
    return {
      name: 'nodes',
      methods: {
        ...deviceMethods(hub, closeDevice),
        ...nodeMethods(hub, closeDevice, (event) => services.broadcast(event)),
        'node.invoke': invokes.invoke,
        'node.invoke.result': invokes.result,
      },
      eventOf: (entry) => (entry.stream.startsWith(DEVICE_STREAM_PREFIX) ? pairingEventOf(entry) : null),
      actors: () => invokes.actors(),
      admitDevice: (request) => admitDevice(hub, { ...request, now: services.now }),
      connectionClosed: (connId) => {
        invokes.disconnected(connId);
        hub.disconnected(connId, services.now());
      },
    };
  };
