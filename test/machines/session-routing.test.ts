import { describe, expect, it } from 'vitest';
import { agentOfSessionKey, resolveSession } from '../../machines/session-routing.js';

describe('session routing', () => {
  it('normalises main, bare and agent-scoped keys', () => {
    expect(resolveSession({ sessionKey: 'main' }, 'main')).toEqual({ sessionKey: 'agent:main:main', agentId: 'main' });
    expect(resolveSession({}, 'main')).toEqual({ sessionKey: 'agent:main:main', agentId: 'main' });
    expect(resolveSession({ sessionKey: 'notes', agentId: 'Writer' }, 'main')).toEqual({ sessionKey: 'agent:writer:notes', agentId: 'writer' });
    expect(resolveSession({ sessionKey: 'agent:ops:x' }, 'main')).toEqual({ sessionKey: 'agent:ops:x', agentId: 'ops' });
    expect(agentOfSessionKey('agent:OPS:x')).toBe('ops');
    expect(agentOfSessionKey('main')).toBeNull();
  });

  it('routes a recipient by dmScope; an explicit key wins over the recipient', () => {
    const to = { to: '+1 555 0100', channel: 'WhatsApp', accountId: 'work' };
    expect(resolveSession(to, 'main')).toEqual({ sessionKey: 'agent:main:main', agentId: 'main' });
    expect(resolveSession(to, 'main', 'per-peer').sessionKey).toBe('agent:main:direct:+15550100');
    expect(resolveSession(to, 'main', 'per-channel-peer').sessionKey).toBe('agent:main:whatsapp:direct:+15550100');
    expect(resolveSession(to, 'main', 'per-account-channel-peer').sessionKey).toBe('agent:main:whatsapp:work:direct:+15550100');
    expect(resolveSession({ ...to, sessionKey: 'agent:main:main' }, 'main', 'per-peer').sessionKey).toBe('agent:main:main');
  });
});
