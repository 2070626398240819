/**
 * Bounds on sockets that have not authenticated yet: at most `perAddress` from one remote
 * address and `total` overall (the official gateway admits 32 per address). An upgrade beyond
 * either bound is answered `503` before any WebSocket exists, so an idle flood costs one HTTP
 * exchange per attempt; a socket stops counting once `connect` admitted it or it closed. The
 * handshake timeout (15 s by default) bounds how long each counted socket may stay.
 */
import type { UpgradeRefusal } from '../transport/contract.js';

/** Official default (`OPENCLAW_MAX_PREAUTH_CONNECTIONS_PER_IP`). */
export const DEFAULT_MAX_PREAUTH_PER_ADDRESS = 32;
/** All addresses together: 1024 idle pre-auth sockets cost well under 100 MiB (see README). */
export const DEFAULT_MAX_PREAUTH_TOTAL = 1024;

export interface PreauthLimitOptions {
  readonly perAddress?: number;
  readonly total?: number;
}

export class PreauthLimits {
  private readonly byAddress = new Map<string, number>();
  /** Socket id → address, for the sockets counted now. */
  private readonly counted = new Map<string, string>();
  private readonly perAddress: number;
  private readonly total: number;

  constructor(options: PreauthLimitOptions = {}) {
    this.perAddress = options.perAddress ?? DEFAULT_MAX_PREAUTH_PER_ADDRESS;
    this.total = options.total ?? DEFAULT_MAX_PREAUTH_TOTAL;
  }

  /** The refusal for one more upgrade from `remoteAddress`, or null when it fits. */
  admit(remoteAddress: string): UpgradeRefusal | null {
    if ((this.byAddress.get(remoteAddress) ?? 0) >= this.perAddress) {
      return { status: '503 Service Unavailable', reason: 'too many unauthenticated connections from this address', headers: [['Retry-After', '5']] };
    }
    if (this.counted.size >= this.total) {
      return { status: '503 Service Unavailable', reason: 'too many unauthenticated connections', headers: [['Retry-After', '5']] };
    }
    return null;
  }

  /** A socket opened: it counts until `settled`. */
  opened(socketId: string, remoteAddress: string): void {
    if (this.counted.has(socketId)) return;
    this.counted.set(socketId, remoteAddress);
    this.byAddress.set(remoteAddress, (this.byAddress.get(remoteAddress) ?? 0) + 1);
  }

  /** The socket authenticated or closed (idempotent). */
  settled(socketId: string): void {
    const address = this.counted.get(socketId);
    if (address === undefined) return;
    this.counted.delete(socketId);
    const left = (this.byAddress.get(address) ?? 1) - 1;
    if (left <= 0) this.byAddress.delete(address);
    else this.byAddress.set(address, left);
  }

  /** Sockets counted now (for figures and tests). */
  get size(): number {
    return this.counted.size;
  }
}
