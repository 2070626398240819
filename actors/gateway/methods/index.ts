import type { MethodHandler } from './context.js';
import { health, status, systemPresence, systemEvent, wake, lastHeartbeat } from './system.js';
import { agentsList } from './agents.js';
import { eventsReplay } from './events-replay.js';

/** Handlers by wire method name; every name in protocol/registry.ts has one (a test checks it). */
export const METHOD_HANDLERS: Readonly<Record<string, MethodHandler>> = {
  health,
  status,
  'system-presence': systemPresence,
  'system-event': systemEvent,
  'last-heartbeat': lastHeartbeat,
  wake,
  'agents.list': agentsList,
  'events.replay': eventsReplay,
};
