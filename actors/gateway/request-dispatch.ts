import { ERRORS } from '../../protocol/errors.js';
import type { ResponseFrame } from '../../protocol/frames.js';
import { MethodError, type MethodContext, type MethodHandler } from './methods/context.js';
import { Reply, TwoStage } from './methods/reply.js';
import type { Logger } from '../logs/logger.js';
import { JournalWriteError } from '../../store/journal.js';

/** Where a dispatched request's answer goes. */
export interface Responder {
  respond(text: string): void;
  /** Called once the request is answered for good (the final of a two-stage one). */
  done?(): void;
  readonly logger: Logger;
  /** Told once per request: the final outcome and the seconds until the first response frame. */
  readonly observe?: (outcome: 'ok' | 'error', firstResponseSeconds: number) => void;
}

const ok = (id: string, payload: unknown): string => JSON.stringify({ type: 'res', id, ok: true, payload });

function replyFrame(id: string, reply: Reply): string {
  const frame: ResponseFrame = { type: 'res', id, ok: reply.ok };
  if (reply.payload !== undefined) frame.payload = reply.payload;
  if (reply.error !== undefined) frame.error = reply.error;
  return JSON.stringify(frame);
}

/** Converts a handler failure to its wire error, once, at the edge. Unknown errors become UNAVAILABLE. */
export function failureFrame(id: string, method: string, error: unknown, logger: Logger): ResponseFrame {
  if (error instanceof MethodError) {
    const entry: (typeof ERRORS)[keyof typeof ERRORS] & { readonly retryable?: boolean } = ERRORS[error.key];
    return {
      type: 'res',
      id,
      ok: false,
      error: {
        code: entry.code ?? 'INVALID_REQUEST',
        message: error.message,
        ...(entry.retryable !== undefined ? { retryable: entry.retryable } : {}),
        ...(error.details !== undefined ? { details: error.details } : {}),
      },
    };
  }
  if (causedBy(error, JournalWriteError)) {
    // The journal refused the write (logged once by the journal watch): retryable, nothing changed.
    const entry = ERRORS.JOURNAL_UNAVAILABLE;
    return { type: 'res', id, ok: false, error: { code: 'UNAVAILABLE', message: entry.message, retryable: true, details: { code: 'JOURNAL_UNAVAILABLE' } } };
  }
  logger.error(`method ${method} failed`, { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  return { type: 'res', id, ok: false, error: { code: 'UNAVAILABLE', message: ERRORS.INTERNAL_ERROR.message } };
}

function causedBy(error: unknown, type: abstract new (...args: never[]) => Error): boolean {
  let cause: unknown = error;
  for (let depth = 0; cause instanceof Error && depth < 8; depth += 1) {
    if (cause instanceof type) return true;
    cause = (cause as Error).cause;
  }
  return false;
}

/**
 * Runs the handler of a routed request and sends its response(s). Synchronous handlers answer in
 * the same turn (no promise on the hot path); asynchronous ones when they settle; two-stage ones
 * send the ack now and the final when it settles.
 */
export function dispatchRequest(
  handlers: Readonly<Record<string, MethodHandler>>,
  context: MethodContext,
  request: { id: string; method: string; params: unknown },
  responder: Responder,
): void {
  const { id, method } = request;
  const handler = handlers[method];
  const base = responder.observe ? observed(responder.respond, responder.observe) : { send: responder.respond, done: () => undefined };
  const respond = {
    send: base.send,
    done: (outcome: 'ok' | 'error') => {
      base.done(outcome);
      responder.done?.();
    },
  };
  const fail = (error: unknown) => {
    respond.send(JSON.stringify(failureFrame(id, method, error, responder.logger)));
    respond.done('error');
  };
  const answer = (result: unknown) => {
    if (result instanceof Reply) {
      respond.send(replyFrame(id, result));
      respond.done(result.ok ? 'ok' : 'error');
    } else if (result instanceof TwoStage) {
      respond.send(ok(id, result.ack));
      result.final.then((final) => {
        respond.send(replyFrame(id, final));
        respond.done(final.ok ? 'ok' : 'error');
      }, fail);
    } else {
      respond.send(ok(id, result));
      respond.done('ok');
    }
  };
  if (!handler) {
    fail(new Error(`no handler registered for ${method}`));
    return;
  }
  let result: unknown;
  try {
    result = handler(context, request.params);
  } catch (error) {
    fail(error);
    return;
  }
  if (result instanceof Promise) result.then(answer, fail);
  else answer(result);
}

/** Wraps `send` to time the first response frame and report the outcome once. */
function observed(
  send: (text: string) => void,
  observe: (outcome: 'ok' | 'error', firstResponseSeconds: number) => void,
): { send(text: string): void; done(outcome: 'ok' | 'error'): void } {
  const started = performance.now();
  let first: number | undefined;
  let reported = false;
  return {
    send(text) {
      first ??= performance.now();
      send(text);
    },
    done(outcome) {
      if (reported) return;
      reported = true;
      observe(outcome, ((first ?? performance.now()) - started) / 1000);
    },
  };
}
