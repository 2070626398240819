import { describe, expect, it } from 'vitest';
import { capabilityOf, lastGatewayErrorLine } from '../../../actors/ops/diagnostics.js';
import type { ProbeOutcome } from '../../../actors/client/probe.js';
import { parseLsof, parseSs } from '../../../actors/ops/port-listeners.js';

const connected = (scopes: string[] | undefined): ProbeOutcome => ({
  reached: true, connected: true, connectLatencyMs: 3, hello: scopes ? { auth: { role: 'operator', scopes } } : {}, connectError: null, error: null, close: null, calls: [], timedOut: false,
});

describe('gateway diagnostics', () => {
  it('classifies capability by the granted scopes, as the official CLI does', () => {
    expect(capabilityOf(connected(['operator.admin']))).toBe('admin_capable');
    expect(capabilityOf(connected(['operator.write']))).toBe('write_capable');
    expect(capabilityOf(connected(['operator.read']))).toBe('read_only');
    expect(capabilityOf(connected([]))).toBe('connected_no_operator_scope');
    expect(capabilityOf(connected(undefined))).toBe('unknown');
    expect(capabilityOf({ ...connected([]), connected: false, connectError: { code: 'NOT_PAIRED', message: 'pairing required' } })).toBe('pairing_pending');
  });

  it('picks the last known failure signature, else the last line unless a match is required', () => {
    const lines = ['starting', 'openclaw gateway: gateway.mode is not "local" in /x; set it', 'stopped'];
    expect(lastGatewayErrorLine(lines, true)).toBe('openclaw gateway: gateway.mode is not "local" in /x; set it');
    expect(lastGatewayErrorLine(['a', 'b', ''], false)).toBe('b');
    expect(lastGatewayErrorLine(['a', 'b'], true)).toBeNull();
  });

  it('reads lsof and ss listings', () => {
    expect(parseLsof('p42\ncopenclaw-gatewa\nLalice\nn127.0.0.1:18789\nn[::1]:18789\n')).toEqual([
      { pid: 42, command: 'openclaw-gatewa', user: 'alice', address: '127.0.0.1:18789' },
      { pid: 42, command: 'openclaw-gatewa', user: 'alice', address: '[::1]:18789' },
    ]);
    expect(parseSs('LISTEN 0 511 127.0.0.1:18789 0.0.0.0:* users:(("node",pid=7,fd=20))\nLISTEN 0 5 0.0.0.0:18789 0.0.0.0:*\n')).toEqual([
      { pid: 7, command: 'node', address: '127.0.0.1:18789' },
      { address: '0.0.0.0:18789' },
    ]);
  });
});
