import type { ErrorShape } from '../../../protocol/frames.js';

/**
 * An explicit response, for handlers that must answer `ok:false` with a payload too (the official
 * `agent` final on failure carries both) or choose `ok` themselves.
 */
export class Reply {
  constructor(
    readonly ok: boolean,
    readonly payload?: unknown,
    readonly error?: ErrorShape,
  ) {}

  static ok(payload: unknown): Reply {
    return new Reply(true, payload);
  }

  static fail(error: ErrorShape, payload?: unknown): Reply {
    return new Reply(false, payload, error);
  }
}

/**
 * A two-stage answer (PROTOCOL.md §5.6): the ack goes out at once, the final later on the same
 * request id, even if the run outlives the request (it is dropped if the socket is gone).
 */
export class TwoStage {
  constructor(
    readonly ack: unknown,
    readonly final: Promise<Reply>,
  ) {}
}
