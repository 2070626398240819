import type { ChannelAccount } from './account.js';
import type { StatusIssue } from './contract.js';

export type { StatusIssue };

/*
 * Status objects of channel accounts as the official `channels.status` and health have them
 * (CHANNELS.md §3.2, §5.3): lifecycle `starting|ready|recovering|blocked|stopped`, timestamps,
 * plus the adapter's own fields (mode, token source, bot, linked…).
 */

/** The lifecycle word of a link state. */
export function lifecycleOf(state: string, attempts: number): 'starting' | 'ready' | 'recovering' | 'blocked' | 'stopped' {
  switch (state) {
    case 'connected':
      return 'ready';
    case 'reconnecting':
      return 'recovering';
    case 'blocked':
      return 'blocked';
    case 'starting':
      return attempts > 0 ? 'recovering' : 'starting';
    default:
      return 'stopped';
  }
}

/** One account's status object. */
export function accountSnapshot(account: ChannelAccount, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const view = account.state();
  const link = account.linkState();
  const lifecycle = lifecycleOf(link.value, link.attempts);
  const running = lifecycle !== 'stopped' && lifecycle !== 'blocked';
  const adapter = account.loadedAdapter();
  const own = adapter ? adapter.snapshot() : (account.definition.idleSnapshot?.(account.config) ?? {});
  return {
    accountId: account.config.accountId,
    ...(account.config.name ? { name: account.config.name } : {}),
    enabled: account.config.enabled,
    lastStartAt: view.lastStartAt,
    lastStopAt: view.lastStopAt,
    restartPending: false,
    reconnectAttempts: link.attempts,
    lastConnectedAt: view.lastConnectedAt,
    lastEventAt: view.link?.at ?? null,
    lastTransportActivityAt: account.lastTransportActivityAt(),
    lifecycle,
    healthState: lifecycle === 'blocked' ? 'terminal-disconnect' : lifecycle === 'recovering' ? 'disconnected' : lifecycle === 'stopped' ? 'stopped' : 'connected',
    ...(lifecycle === 'blocked' ? { terminalDisconnect: true } : {}),
    lastInboundAt: view.lastInboundAt,
    lastOutboundAt: view.lastOutboundAt,
    dmPolicy: account.config.dmPolicy,
    ...own,
    configured: account.config.configured,
    running,
    connected: lifecycle === 'ready',
    lastError: link.error,
    ...extra,
  };
}

/** Issues an account's status implies (blocked, disconnected while running). */
export function accountIssues(account: ChannelAccount, snapshot: Record<string, unknown>): StatusIssue[] {
  const base = { channel: account.config.channel, accountId: account.config.accountId };
  const lastError = typeof snapshot.lastError === 'string' ? snapshot.lastError : null;
  if (snapshot.lifecycle === 'blocked') {
    return [{ ...base, kind: 'runtime', message: lastError ?? 'the channel is blocked', fix: 'resolve the reported channel error, then restart the channel' }];
  }
  if (snapshot.running === true && snapshot.connected !== true && lastError) {
    return [
      { ...base, kind: 'runtime', message: 'Channel reports running, but the runtime is disconnected.', fix: 'restart the channel or gateway' },
      {
        ...base,
        kind: 'runtime',
        message: `${account.definition.label} is running but has not connected successfully since startup: ${lastError}`,
        fix: 'Run: openclaw channels status --probe (or restart the gateway).',
      },
    ];
  }
  return [];
}
