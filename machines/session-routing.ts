/**
 * Session keys (PROTOCOL.md §5.6, official docs "Session"): pure rules, no I/O.
 *
 *   "main" or nothing      → agent:<agentId>:main
 *   "agent:<id>:<rest>"    → kept (and names the agent when none is given)
 *   any other key "x"      → agent:<agentId>:x
 *   only a recipient `to`  → by session.dmScope: main (default) → agent:<id>:main;
 *                            per-peer → agent:<id>:direct:<to>; per-channel-peer →
 *                            agent:<id>:<channel>:direct:<to>; per-account-channel-peer →
 *                            agent:<id>:<channel>:<account>:direct:<to>
 */

export type DmScope = 'main' | 'per-peer' | 'per-channel-peer' | 'per-account-channel-peer';

/** What a request says about its session. */
export interface SessionTarget {
  readonly sessionKey?: string | undefined;
  readonly agentId?: string | undefined;
  readonly to?: string | undefined;
  readonly channel?: string | undefined;
  readonly accountId?: string | undefined;
}

/** The agent named by an `agent:<id>:…` key, or null. */
export function agentOfSessionKey(key: string | undefined): string | null {
  if (!key?.startsWith('agent:')) return null;
  const id = key.split(':')[1];
  return id ? id.toLowerCase() : null;
}

const peer = (value: string): string => value.trim().toLowerCase().replace(/\s+/g, '');

/** The canonical session key and agent of a request; `defaultAgentId` when nothing names one. */
export function resolveSession(target: SessionTarget, defaultAgentId: string, dmScope: DmScope = 'main'): { sessionKey: string; agentId: string } {
  const explicit = target.sessionKey?.trim();
  const agentId = (target.agentId?.trim().toLowerCase() || agentOfSessionKey(explicit)) ?? defaultAgentId;
  if (explicit && explicit !== 'main') {
    return { sessionKey: explicit.startsWith('agent:') ? explicit : `agent:${agentId}:${explicit}`, agentId };
  }
  const to = target.to?.trim();
  if (!explicit && to) {
    const channel = target.channel?.trim().toLowerCase() || 'direct';
    switch (dmScope) {
      case 'per-peer':
        return { sessionKey: `agent:${agentId}:direct:${peer(to)}`, agentId };
      case 'per-channel-peer':
        return { sessionKey: `agent:${agentId}:${channel}:direct:${peer(to)}`, agentId };
      case 'per-account-channel-peer':
        return { sessionKey: `agent:${agentId}:${channel}:${target.accountId?.trim() || 'default'}:direct:${peer(to)}`, agentId };
      case 'main':
        break;
    }
  }
  return { sessionKey: `agent:${agentId}:main`, agentId };
}
