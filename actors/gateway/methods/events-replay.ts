import type { EventsReplayParams, EventsReplayResult } from '../../../protocol/methods/events-replay.js';
import { replayEvents } from '../../../store/gateway-view.js';
import type { MethodHandler } from './context.js';

const DEFAULT_LIMIT = 200;

/** `events.replay`: journaled broadcast events after `afterSeq`, exactly as they were sent live. */
export const eventsReplay: MethodHandler = ({ services }, raw): EventsReplayResult => {
  const params = raw as EventsReplayParams;
  return replayEvents(services.journal, params.afterSeq, params.limit ?? DEFAULT_LIMIT, true);
};
