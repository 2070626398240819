import { Type, type Static } from '@sinclair/typebox';
import { EventFrame } from '../frames.js';

/**
 * `events.replay` (beyond today's product): the broadcast events after `afterSeq`, read from the
 * journal, so a client that saw a gap or reconnected can catch up instead of refetching.
 */
export const EventsReplayParams = Type.Object(
  {
    afterSeq: Type.Integer({ minimum: 0 }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type EventsReplayParams = Static<typeof EventsReplayParams>;
export const EventsReplayResult = Type.Object({
  events: Type.Array(EventFrame),
  /** Highest `seq` the gateway has journaled (the client is caught up when it reached this). */
  lastSeq: Type.Integer({ minimum: 0 }),
  /** True when more events exist after the last one returned. */
  hasMore: Type.Boolean(),
});
export type EventsReplayResult = Static<typeof EventsReplayResult>;
