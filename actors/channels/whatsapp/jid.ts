/**
 * WhatsApp addresses: JIDs (`15551234567@s.whatsapp.net`, `15551234567:12@s.whatsapp.net` for one
 * device, `<id>@g.us` for groups, `<id>@lid` for hidden numbers) and E.164 numbers (`+15551234567`),
 * the form `allowFrom` and the pairing store use.
 */

const USER_SERVER = 's.whatsapp.net';

/** `+1 (555) 123-4567`, `15551234567`, `whatsapp:+15551234567` → `+15551234567`; null when it is no number. */
export function normalizeE164(raw: string): string | null {
  const stripped = raw.trim().replace(/^whatsapp:/i, '');
  const digits = stripped.replace(/[\s().-]/g, '').replace(/^\+/, '');
  return /^\d{6,15}$/.test(digits) ? `+${digits}` : null;
}

/** The E.164 number of a user JID (`…@s.whatsapp.net`, device suffix dropped); null for groups, lids and others. */
export function jidToE164(jid: string | null | undefined): string | null {
  if (!jid) return null;
  const at = jid.indexOf('@');
  if (at < 0 || jid.slice(at + 1) !== USER_SERVER) return null;
  const user = jid.slice(0, at).split(':')[0] ?? '';
  return /^\d{6,15}$/.test(user) ? `+${user}` : null;
}

/** `<id>@g.us` */
export const isGroupJid = (jid: string): boolean => jid.endsWith('@g.us');

/** Status updates and broadcast lists are never conversations. */
export const isBroadcastJid = (jid: string): boolean => jid.endsWith('@broadcast') || jid === 'status@broadcast';

/** The same JID without its device part: `1555:12@s.whatsapp.net` → `1555@s.whatsapp.net`. */
export function bareJid(jid: string): string {
  const at = jid.indexOf('@');
  if (at < 0) return jid;
  return `${jid.slice(0, at).split(':')[0] ?? ''}${jid.slice(at)}`;
}

/**
 * A send target as the user writes it (`+15551234567`, `whatsapp:+1555…`, a user or group JID)
 * → the JID to send to; null when it is neither a number nor a JID.
 */
export function targetToJid(to: string): string | null {
  const trimmed = to.trim().replace(/^whatsapp:/i, '');
  if (trimmed.includes('@')) return /^[\w.:+-]+@(s\.whatsapp\.net|g\.us|lid|newsletter|c\.us)$/.test(trimmed) ? trimmed.replace(/@c\.us$/, `@${USER_SERVER}`) : null;
  const e164 = normalizeE164(trimmed);
  return e164 ? `${e164.slice(1)}@${USER_SERVER}` : null;
}
