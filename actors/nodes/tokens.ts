import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new device token: 32 random bytes, base64url (43 characters). */
export const mintDeviceToken = (): string => randomBytes(32).toString('base64url');

/** What is journaled of a token: its SHA-256, hex. */
export const hashDeviceToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Whether `token` hashes to `hash`, compared in constant time. */
export function tokenMatches(token: string, hash: string): boolean {
  const given = Buffer.from(hashDeviceToken(token), 'hex');
  const expected = Buffer.from(hash, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
