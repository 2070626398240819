import { assign, setup } from 'xstate';

/*
 * One channel account's link to its platform (Telegram bot, WhatsApp Web session), DESIGN.md
 * "Channels". Pure: the adapter reports what happened, this machine decides what it means.
 *
 *   stopped ──link.start──> starting ──link.connected──> connected
 *      ^                      │  ^                           │
 *      │                      │  └── after retryDelay ──┐    │ link.failed (retryable)
 *      │                      └─ link.failed ──> reconnecting <┘
 *      │                      link.failed (terminal, or attempts exhausted) ──> blocked
 *      └──────── link.stop (from any state) ─────────────────────────────────────┘
 *
 * Backoff rules are data (`LinkPolicy`): Telegram's 409 is 30 s doubling +≤20 % capped at 600 s,
 * with 401/404 terminal; WhatsApp's reconnect is 2 s × 1.8 +≤25 % capped at 30 s, 12 attempts,
 * with 401 (logged out) and 440 (replaced) terminal. Randomness arrives with the failure
 * (`random` in [0,1)); time through the named delay `retryDelay` (the clock is injected).
 */

/** How retries are spaced: `min(maxMs, initialMs·factor^(n−1))`, plus up to `jitter` of it. */
export interface Backoff {
  readonly initialMs: number;
  readonly factor: number;
  readonly maxMs: number;
  /** Fraction added on top, scaled by the failure's `random` (0.2 → up to +20 %). */
  readonly jitter: number;
  /** Consecutive failures after which the link blocks (absent: never). */
  readonly maxAttempts?: number;
}

/** A channel's link rules. */
export interface LinkPolicy {
  /** Backoff for failures no rule names (network errors, 5xx). */
  readonly backoff: Backoff;
  /** Backoff by failure code (`"409"` for Telegram's duplicate poller). */
  readonly byCode?: Readonly<Record<string, Backoff>>;
  /** Codes that block the link until an operator acts (bad token, logged out, replaced). */
  readonly terminal: readonly (string | number)[];
  /** What resets the attempt counter: any connect, or only a `link.healthy` report. */
  readonly resetOn: 'connected' | 'healthy';
}

/** Telegram (CHANNELS.md §5.2): 409 → 30 s ×2 +≤20 % ≤600 s; other errors 1 s ×2 ≤30 s; 401/404 block. */
export const TELEGRAM_LINK_POLICY: LinkPolicy = {
  backoff: { initialMs: 1000, factor: 2, maxMs: 30_000, jitter: 0 },
  byCode: { '409': { initialMs: 30_000, factor: 2, maxMs: 600_000, jitter: 0.2 } },
  terminal: [401, 404],
  resetOn: 'connected',
};

/** WhatsApp (CHANNELS.md §5.5): 2 s ×1.8 +≤25 % ≤30 s, 12 attempts; 401 logged out, 440 replaced. */
export const WHATSAPP_LINK_POLICY: LinkPolicy = {
  backoff: { initialMs: 2000, factor: 1.8, maxMs: 30_000, jitter: 0.25, maxAttempts: 12 },
  terminal: [401, 440],
  resetOn: 'healthy',
};

/** The delay before retry `attempt` (1-based) under `backoff`, with `random` in [0,1). */
export function backoffDelay(backoff: Backoff, attempt: number, random: number): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** Math.max(0, attempt - 1));
  return Math.round(base + base * backoff.jitter * Math.min(Math.max(random, 0), 1));
}

/** A failure as the adapter saw it. */
export interface LinkFailure {
  /** HTTP status / close code when there is one (`409`, `401`, `440`), else absent. */
  readonly code?: string | number;
  readonly message: string;
}

export interface ChannelLinkInput {
  readonly channel: string;
  readonly accountId: string;
  readonly policy: LinkPolicy;
}

export interface ChannelLinkContext extends ChannelLinkInput {
  /** Consecutive failures since the last reset. */
  readonly attempts: number;
  readonly lastError: string | null;
  readonly lastCode: string | null;
  /** Delay of the pending retry, while reconnecting. */
  readonly retryInMs: number | null;
}

export type ChannelLinkEvent =
  | { type: 'link.start' }
  | { type: 'link.stop' }
  | { type: 'link.connected' }
  | { type: 'link.healthy' }
  | ({ type: 'link.failed'; random: number } & LinkFailure);

/** The state a link fact records (`channel.link.changed`). */
export type LinkStateName = 'stopped' | 'starting' | 'connected' | 'reconnecting' | 'blocked';

/** Params of `recordLink`: the new state, journaled by the actor. */
export interface LinkRecord {
  readonly state: LinkStateName;
  readonly attempts: number;
  readonly error: string | null;
  readonly code: string | null;
  readonly retryInMs: number | null;
}

const unprovided = (name: string) => (): never => {
  throw new Error(`channel-link: effect ${name} not provided`);
};

const codeOf = (code: string | number | undefined): string | null => (code === undefined ? null : String(code));

/** The backoff a failure falls under. */
export function backoffFor(policy: LinkPolicy, code: string | null): Backoff {
  return (code !== null ? policy.byCode?.[code] : undefined) ?? policy.backoff;
}

/** True when a failure blocks the link at once. */
export function isTerminalFailure(policy: LinkPolicy, code: string | null): boolean {
  return code !== null && policy.terminal.some((c) => String(c) === code);
}

const record = (state: LinkStateName) => ({
  type: 'recordLink' as const,
  params: ({ context }: { context: ChannelLinkContext }): LinkRecord => ({
    state,
    attempts: context.attempts,
    error: context.lastError,
    code: context.lastCode,
    retryInMs: context.retryInMs,
  }),
});

export const channelLinkMachine = setup({
  types: {
    input: {} as ChannelLinkInput,
    context: {} as ChannelLinkContext,
    events: {} as ChannelLinkEvent,
  },
  actions: {
    /** Starts the adapter's connection (poll loop, socket). */
    openLink: unprovided('openLink') as (_: unknown) => void,
    /** Tears the connection down (aborts polls, closes the socket). */
    closeLink: unprovided('closeLink') as (_: unknown) => void,
    /** Journals the new link state. */
    recordLink: unprovided('recordLink') as (_: unknown, params: LinkRecord) => void,
    noteFailure: assign(({ context, event }) => {
      if (event.type !== 'link.failed') return {};
      const code = codeOf(event.code);
      const attempts = context.attempts + 1;
      return { attempts, lastError: event.message, lastCode: code, retryInMs: backoffDelay(backoffFor(context.policy, code), attempts, event.random) };
    }),
    clearRetry: assign({ retryInMs: null }),
    clearError: assign({ lastError: null, lastCode: null, retryInMs: null }),
    resetAttempts: assign({ attempts: 0 }),
  },
  guards: {
    isTerminal: ({ context, event }) => event.type === 'link.failed' && isTerminalFailure(context.policy, codeOf(event.code)),
    attemptsExhausted: ({ context, event }) => {
      if (event.type !== 'link.failed') return false;
      const max = backoffFor(context.policy, codeOf(event.code)).maxAttempts;
      return max !== undefined && context.attempts + 1 > max;
    },
    resetsOnConnect: ({ context }) => context.policy.resetOn === 'connected',
  },
  delays: {
    retryDelay: ({ context }) => context.retryInMs ?? 0,
  },
}).createMachine({
  id: 'channelLink',
  initial: 'stopped',
  context: ({ input }) => ({ ...input, attempts: 0, lastError: null, lastCode: null, retryInMs: null }),
  on: {
    'link.stop': { target: '.stopped', actions: ['closeLink', 'clearRetry', record('stopped')] },
  },
  states: {
    stopped: {
      description: 'Not running: never started, stopped by an operator, or the gateway is stopping.',
      on: {
        'link.start': { target: 'starting', actions: ['resetAttempts', 'clearError', record('starting'), 'openLink'] },
        'link.stop': {},
      },
    },
    starting: {
      description: 'Connecting: the first poll or the socket handshake has not succeeded yet.',
      on: {
        'link.connected': [
          { guard: 'resetsOnConnect', target: 'connected', actions: ['resetAttempts', 'clearError', record('connected')] },
          { target: 'connected', actions: ['clearError', record('connected')] },
        ],
        'link.failed': [
          { guard: 'isTerminal', target: '#channelLink.blocked', actions: ['noteFailure', 'clearRetry', 'closeLink', record('blocked')] },
          { guard: 'attemptsExhausted', target: '#channelLink.blocked', actions: ['noteFailure', 'clearRetry', 'closeLink', record('blocked')] },
          { target: '#channelLink.reconnecting', actions: ['noteFailure', 'closeLink', record('reconnecting')] },
        ],
      },
    },
    connected: {
      description: 'Live: polling or connected, inbound flows.',
      on: {
        'link.healthy': { actions: 'resetAttempts' },
        'link.failed': [
          { guard: 'isTerminal', target: '#channelLink.blocked', actions: ['noteFailure', 'clearRetry', 'closeLink', record('blocked')] },
          { guard: 'attemptsExhausted', target: '#channelLink.blocked', actions: ['noteFailure', 'clearRetry', 'closeLink', record('blocked')] },
          { target: '#channelLink.reconnecting', actions: ['noteFailure', 'closeLink', record('reconnecting')] },
        ],
        'link.connected': {},
      },
    },
    reconnecting: {
      description: 'Waiting out the backoff delay before the next attempt.',
      after: { retryDelay: { target: 'starting', actions: ['clearRetry', record('starting'), 'openLink'] } },
      on: { 'link.start': { target: 'starting', actions: ['clearRetry', record('starting'), 'openLink'] } },
    },
    blocked: {
      description: 'Needs an operator: bad token, logged out, replaced, or out of attempts. Only link.start leaves it.',
      on: {
        'link.start': { target: 'starting', actions: ['resetAttempts', 'clearError', record('starting'), 'openLink'] },
      },
    },
  },
});
