import type { ResponseFrame } from '../protocol/frames.js';
import { errorResponse, routeRequest, type Admission } from './connection-rules.js';

/**
 * What a request that arrives while the gateway drains gets: the answer routing would give it
 * when that is already an error (unknown method, missing scope…), otherwise `UNAVAILABLE` with
 * `details.code: SHUTTING_DOWN`, retryable (the client reconnects after the restart). Never
 * silence: the socket is still open, so every request is answered before close 1012.
 */
export function drainingResponse(admission: Admission | null, data: unknown): ResponseFrame | null {
  if (!admission) return null;
  const decision = routeRequest(admission, data);
  if (decision.kind === 'ignore') return null;
  if (decision.kind === 'respond') return decision.response;
  const response = errorResponse(decision.id, 'SHUTTING_DOWN', { details: { code: 'SHUTTING_DOWN' } });
  return { ...response, error: { ...response.error!, retryable: true } };
}
