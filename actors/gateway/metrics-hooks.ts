/**
 * Where the gateway reports what it measures. Nothing is recorded until the first scrape of
 * `/api/diagnostics/prometheus` plugs a sink in (`actors/metrics/`): before that every hook is
 * one `undefined` check, so an unscraped gateway pays nothing for metrics.
 */
export interface MetricsSink {
  /** A dispatched request answered: its final outcome and the time to its first response frame. */
  requestDone(method: string, outcome: 'ok' | 'error', firstResponseSeconds: number): void;
  /** One broadcast frame went to `recipients` sockets. */
  fanout(kind: 'fact' | 'event' | 'tick', recipients: number): void;
  /** A socket was closed as a slow consumer. */
  slowConsumerClosed(): void;
}

/** One channel account's link state, as the channel subsystem last set it. */
export interface ChannelLinkEntry {
  readonly channel: string;
  readonly accountId: string;
  readonly state: string;
}

/**
 * The link state of every channel account (`connected`, `reconnecting`, `blocked`…). Channel
 * actors call `set` on every transition and `remove` when an account goes away; the metrics
 * scrape reads it as the gauge `openclaw_channel_link_state{channel,account,state} 1`. Always
 * on and cheap (one map entry per account), so a scrape sees states set before it.
 */
export class ChannelLinkStates {
  private readonly states = new Map<string, ChannelLinkEntry>();

  /** Records the current state of `channel`/`accountId` (replacing the previous one). */
  set(channel: string, accountId: string, state: string): void {
    this.states.set(`${channel}\u0000${accountId}`, { channel, accountId, state });
  }

  /** Forgets an account (it is no longer configured). */
  remove(channel: string, accountId: string): void {
    this.states.delete(`${channel}\u0000${accountId}`);
  }

  /** Every account's current state. */
  entries(): readonly ChannelLinkEntry[] {
    return [...this.states.values()];
  }
}

/** The gateway's metrics seam: the sink (absent until scraped), the channel states and live counts. */
export class GatewayMetrics {
  /** Set by the metrics subsystem on the first scrape; undefined means "record nothing". */
  sink: MetricsSink | undefined;
  readonly channelLinks = new ChannelLinkStates();

  constructor(
    /** Open sockets by role (`operator`, `node`, `unauthenticated` before `connect` succeeds). */
    readonly connectionsByRole: () => Readonly<Record<string, number>>,
  ) {}
}
