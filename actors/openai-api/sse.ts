/**
 * Server-sent events over a fetch `Response`. The producer attaches to its source in `attach`
 * and returns how to detach; detaching happens once, when the producer finishes or when the
 * client goes away (body cancelled or request aborted). Going away only detaches: whatever feeds
 * the stream (an agent run) carries on without the caller.
 */

/** Where a producer writes events. Writes after the client left are dropped. */
export interface SseSink {
  /** One `data:` line (preceded by `event:` when named) with `data` as JSON. */
  send(data: unknown, event?: string): void;
  /** Writes `data: [DONE]`, closes the stream and detaches. */
  finish(): void;
  /** False once finished or once the client left. */
  readonly open: boolean;
}

const encoder = new TextEncoder();

/** An SSE response whose body `attach` produces; `attach` returns its detach function. */
export function sseResponse(request: Request, attach: (sink: SseSink) => () => void): Response {
  let open = true;
  let detach: (() => void) | undefined;
  let detachPending = false;
  const close = () => {
    if (!open) return;
    open = false;
    request.signal.removeEventListener('abort', close);
    if (detach) detach();
    else detachPending = true; // `attach` has not returned yet: detach right after it does
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const sink: SseSink = {
        send(data, event) {
          if (!open) return;
          const text = `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
          controller.enqueue(encoder.encode(text));
        },
        finish() {
          if (!open) return;
          controller.enqueue(encoder.encode('data: [DONE]\n\n'));
          controller.close();
          close();
        },
        get open() {
          return open;
        },
      };
      request.signal.addEventListener('abort', close);
      detach = attach(sink);
      if (detachPending || request.signal.aborted) {
        open = false;
        detach();
      }
    },
    cancel() {
      close();
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    },
  });
}
