/**
 * The failed-auth limiter (`gateway.auth.rateLimit`, as the official): per client key, at most
 * `maxAttempts` wrong shared secrets within `windowMs`; then every `connect` from that key is
 * refused with AUTH_RATE_LIMITED (before its secret is looked at) for `lockoutMs`. The key is the
 * remote address, so a client presenting the right secret from another address is never locked
 * out. Loopback is exempt (`exemptLoopback`, default true) — but never a socket whose upgrade
 * carried an `Origin` (a web page in the user's browser): those are keyed per origin and always
 * counted. Memory is bounded: at most MAX_ENTRIES keys, the oldest unlocked ones evicted.
 */
import type { GatewaySocket } from '../transport/contract.js';

export interface AuthRateLimitConfig {
  readonly maxAttempts?: number;
  readonly windowMs?: number;
  readonly lockoutMs?: number;
  readonly exemptLoopback?: boolean;
}

const DEFAULTS = { maxAttempts: 10, windowMs: 60_000, lockoutMs: 300_000, exemptLoopback: true } as const;
const MAX_ENTRIES = 10_000;

interface Entry {
  attempts: number[];
  lockedUntil: number;
}

export class AuthRateLimiter {
  private readonly entries = new Map<string, Entry>();
  private readonly policy: Required<AuthRateLimitConfig>;

  constructor(config: AuthRateLimitConfig = {}, private readonly now: () => number = Date.now) {
    this.policy = { ...DEFAULTS, ...config };
  }

  /** The limiter key of a socket, or null when it is exempt. */
  private keyOf(socket: Pick<GatewaySocket, 'remoteAddress' | 'isLoopback' | 'origin'>): string | null {
    if (socket.origin !== undefined) return `origin:${socket.origin}@${socket.remoteAddress}`;
    if (socket.isLoopback && this.policy.exemptLoopback) return null;
    return `ip:${socket.remoteAddress}`;
  }

  /** Milliseconds until this socket's key may try again, or undefined when it may now. */
  retryAfterMs(socket: Pick<GatewaySocket, 'remoteAddress' | 'isLoopback' | 'origin'>): number | undefined {
    const key = this.keyOf(socket);
    const entry = key === null ? undefined : this.entries.get(key);
    if (entry === undefined) return undefined;
    const now = this.now();
    if (entry.lockedUntil > now) return entry.lockedUntil - now;
    return undefined;
  }

  /** A wrong shared secret from this socket's key. */
  recordFailure(socket: Pick<GatewaySocket, 'remoteAddress' | 'isLoopback' | 'origin'>): void {
    const key = this.keyOf(socket);
    if (key === null) return;
    const now = this.now();
    let entry = this.entries.get(key);
    if (entry === undefined) {
      this.evict(now);
      entry = { attempts: [], lockedUntil: 0 };
      this.entries.set(key, entry);
    }
    if (entry.lockedUntil !== 0 && entry.lockedUntil <= now) entry.lockedUntil = 0;
    entry.attempts = entry.attempts.filter((at) => at > now - this.policy.windowMs);
    entry.attempts.push(now);
    if (entry.attempts.length >= this.policy.maxAttempts) {
      entry.lockedUntil = now + this.policy.lockoutMs;
      entry.attempts = [];
    }
  }

  /** A successful `connect` from this key clears its failures. */
  reset(socket: Pick<GatewaySocket, 'remoteAddress' | 'isLoopback' | 'origin'>): void {
    const key = this.keyOf(socket);
    if (key !== null) this.entries.delete(key);
  }

  private evict(now: number): void {
    if (this.entries.size < MAX_ENTRIES) return;
    for (const [key, entry] of this.entries) {
      if (entry.lockedUntil <= now) this.entries.delete(key);
      if (this.entries.size < MAX_ENTRIES) return;
    }
    const oldest = this.entries.keys().next().value;
    if (oldest !== undefined) this.entries.delete(oldest);
  }
}

/** True for the handshake responses that mean "wrong shared secret". */
export function isSecretMismatch(frame: { type: string; ok?: boolean; error?: { details?: unknown } }): boolean {
  if (frame.type !== 'res' || frame.ok !== false) return false;
  const details = frame.error?.details;
  const code = typeof details === 'object' && details !== null && 'code' in details ? details.code : undefined;
  return code === 'AUTH_TOKEN_MISMATCH' || code === 'AUTH_PASSWORD_MISMATCH';
}
