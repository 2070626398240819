/**
 * What a Baileys close code means for the link (Baileys `DisconnectReason`): 401 logged out and
 * 440 replaced end the link until someone acts; 515 asks for an immediate fresh socket (after a
 * QR pairing); anything else (428 closed, 408 lost/timed out, 500, 503…) is retried with backoff.
 */

/** How a closed socket is treated. */
export type WhatsAppClose =
  | { readonly kind: 'terminal'; readonly reason: 'logged-out' | 'replaced'; readonly status: number; readonly healthState: 'logged-out' | 'conflict'; readonly message: string }
  | { readonly kind: 'restart'; readonly status: number; readonly message: string }
  | { readonly kind: 'retry'; readonly status: number | null; readonly message: string };

export const LOGGED_OUT = 401;
export const CONNECTION_REPLACED = 440;
export const RESTART_REQUIRED = 515;

/** The status code inside a Baileys `lastDisconnect.error` (a Boom), or null. */
export function closeStatusOf(error: unknown): number | null {
  if (typeof error !== 'object' || error === null) return null;
  const output = (error as { output?: { statusCode?: unknown } }).output;
  const status = output?.statusCode;
  return typeof status === 'number' ? status : null;
}

/** Classifies one `connection.update {connection:'close'}` by its `lastDisconnect.error`. */
export function classifyClose(error: unknown): WhatsAppClose {
  const status = closeStatusOf(error);
  const text = error instanceof Error ? error.message : 'connection closed';
  if (status === LOGGED_OUT) {
    return { kind: 'terminal', reason: 'logged-out', status, healthState: 'logged-out', message: `WhatsApp logged this device out (status 401). Relink with: openclaw channels login --channel whatsapp` };
  }
  if (status === CONNECTION_REPLACED) {
    return { kind: 'terminal', reason: 'replaced', status, healthState: 'conflict', message: 'WhatsApp Web session replaced by another connection (status 440); stop the other client, then start the channel again' };
  }
  if (status === RESTART_REQUIRED) return { kind: 'restart', status, message: text };
  return { kind: 'retry', status, message: status === null ? text : `${text} (status ${status})` };
}
