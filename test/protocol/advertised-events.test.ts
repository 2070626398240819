/** Only events the gateway sends are advertised (issue 12, "What a new user hits" 11). */
import { describe, expect, it } from 'vitest';
import { GATEWAY_EVENTS } from '../../protocol/events.js';

describe('hello-ok.features.events', () => {
  it('does not advertise heartbeat, which this gateway never sends (no heartbeat runner)', () => {
    expect(GATEWAY_EVENTS).not.toContain('heartbeat');
    expect(GATEWAY_EVENTS).toEqual(expect.arrayContaining(['connect.challenge', 'tick', 'presence', 'health', 'shutdown', 'agent', 'chat']));
  });
});
