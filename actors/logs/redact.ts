import { SECRET_KEY } from '../../protocol/config.js';

/** What a secret is replaced with (the official gateway's marker, so its tools recognise it). */
export const REDACTED = '__OPENCLAW_REDACTED__';

/** A deep copy of `value` with every secret-named key's value replaced by REDACTED. */
export function redactValue<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => redactValue(item)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_KEY.test(key) && item !== undefined && item !== null && typeof item !== 'object' ? REDACTED : redactValue(item);
  }
  return out as T;
}

const SECRET_NAMES = 'token|password|apiKey|api_key|secret|botToken|accessToken|refreshToken|privateKey';
// `"token":"…"` in JSON text, also when the text was cut inside the value (frame logs are truncated).
const JSON_SECRET = new RegExp(`"(${SECRET_NAMES})"(\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*("|$)`, 'gi');
const QUERY_SECRET = new RegExp(`([?&](?:${SECRET_NAMES})=)[^&#\\s"]*`, 'gi');
const BEARER = /(\bBearer\s+)[A-Za-z0-9._~+/=-]+/g;

/** `text` with secret-looking JSON fields, URL parameters, bearer tokens and `known` values masked. */
export function redactText(text: string, known: readonly string[] = []): string {
  let out = text.replace(JSON_SECRET, `"$1"$2"${REDACTED}$3`).replace(QUERY_SECRET, `$1${REDACTED}`).replace(BEARER, `$1${REDACTED}`);
  for (const secret of known) if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** Fields of a log record with secrets masked (keys by name, strings by content). */
export function redactFields(fields: Record<string, unknown>, known: readonly string[] = []): Record<string, unknown> {
  const masked = redactValue(fields);
  const scrub = (value: unknown): unknown => {
    if (typeof value === 'string') return redactText(value, known);
    if (Array.isArray(value)) return value.map(scrub);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v)]));
    return value;
  };
  return scrub(masked) as Record<string, unknown>;
}
