import type { AuthPolicy } from '../../machines/connection-rules.js';
import { secretsEqual } from '../../machines/connection-rules.js';
import type { OpenAiErrorBody } from '../../protocol/http/openai.js';

/** JSON with the status given (the shapes are the callers' schemas). */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

/** An OpenAI-shaped failure: `{"error":{"message","type"}}`. */
export function openAiError(status: number, message: string, type: string): Response {
  const body: OpenAiErrorBody = { error: { message, type } };
  return json(body, status);
}

/** `401 {"error":{"message":"Unauthorized","type":"unauthorized"}}` (PROTOCOL.md §9.2). */
export const unauthorized = (): Response => openAiError(401, 'Unauthorized', 'unauthorized');

/** The plain-text 404 of a route that is not registered (or switched off). */
export const notFound = (): Response => new Response('Not Found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });

/** `405` with `Allow`, in the OpenAI error shape. */
export const methodNotAllowed = (allow: string): Response =>
  new Response(JSON.stringify({ error: { message: 'Method Not Allowed', type: 'invalid_request_error' } }), {
    status: 405,
    headers: { allow, 'content-type': 'application/json; charset=utf-8' },
  });

/**
 * True when the request carries the gateway's shared secret as `Authorization: Bearer <secret>`
 * (token or password, whichever the gateway uses); always true with auth `none`.
 */
export function isAuthorized(request: Request, auth: AuthPolicy): boolean {
  if (auth.mode === 'none') return true;
  const header = request.headers.get('authorization')?.trim() ?? '';
  if (!/^bearer\s/i.test(header)) return false;
  const given = header.slice(7).trim();
  const expected = auth.secret ?? '';
  return given.length > 0 && expected.length > 0 && secretsEqual(given, expected);
}

/** How reading a JSON body ended. */
export type BodyResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: 'too-large' | 'invalid-json' | 'aborted' };

/** Reads at most `limit` bytes of the body and parses it as JSON; stops reading past the limit. */
export async function readJsonBody(request: Request, limit: number): Promise<BodyResult> {
  const declared = Number(request.headers.get('content-length'));
  // Unread, the rest of the body is discarded by the transport once the 413 is sent.
  if (Number.isFinite(declared) && declared > limit) return { ok: false, reason: 'too-large' };
  const body = request.body;
  if (!body) return { ok: false, reason: 'invalid-json' };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        return { ok: false, reason: 'too-large' };
      }
      chunks.push(value);
    }
  } catch (error) {
    if (request.signal.aborted) return { ok: false, reason: 'aborted' };
    throw new Error('could not read the request body', { cause: error });
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return { ok: false, reason: 'invalid-json' }; // a parse failure is the client's mistake, answered as 400
  }
}

/** The 400/413 answer for a body that could not be read, in the OpenAI error shape. */
export function bodyFailure(reason: 'too-large' | 'invalid-json' | 'aborted'): Response {
  if (reason === 'too-large') return openAiError(413, 'Payload too large', 'invalid_request_error');
  return openAiError(400, 'Invalid JSON body', 'invalid_request_error');
}

/** A header value, trimmed; undefined when absent or blank. */
export function header(request: Request, name: string): string | undefined {
  const value = request.headers.get(name)?.trim();
  return value ? value : undefined;
}
