/** Failed hook authentications per client: 20 in 60 s, then 429 until the window passes (loopback too). */
export class HookAuthThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxAttempts = 20,
    private readonly windowMs = 60_000,
  ) {}

  /** Milliseconds to wait before `client` may try again, or 0 when it may try now. */
  retryAfterMs(client: string, now: number): number {
    const recent = this.recent(client, now);
    if (recent.length < this.maxAttempts) return 0;
    return Math.max(1, (recent[0] ?? now) + this.windowMs - now);
  }

  recordFailure(client: string, now: number): void {
    this.failures.set(client, [...this.recent(client, now), now]);
    if (this.failures.size > 10_000) for (const key of [...this.failures.keys()].slice(0, 1000)) this.failures.delete(key);
  }

  /** A valid authentication resets the count. */
  reset(client: string): void {
    this.failures.delete(client);
  }

  private recent(client: string, now: number): number[] {
    return (this.failures.get(client) ?? []).filter((at) => at > now - this.windowMs);
  }
}
