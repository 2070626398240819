import { describe, expect, it } from 'vitest';
import { decideDevicePairing, decideNodeSurface, filterDeclaredCommands, requiredApproveScopes, type PairingClaim } from '../../machines/device-pairing.js';

const local: PairingClaim = { role: 'node', scopes: [], platform: 'linux', deviceFamily: 'Linux', locality: 'direct_local', browserOrigin: false, uiClient: false, authMethod: 'token' };
const none = { paired: null, pending: null };
const policy = { autoApproveLocal: true };

describe('device pairing rules (NODES.md §2.2–2.3)', () => {
  it('pairs a new direct-local device silently, unless autoApproveLocal is false', () => {
    expect(decideDevicePairing(none, local, policy, 0)).toEqual({ kind: 'approve-silently', reason: 'not-paired' });
    expect(decideDevicePairing(none, local, { autoApproveLocal: false }, 0)).toEqual({ kind: 'request', reason: 'not-paired', reuseRequestId: null, supersedeRequestId: null });
  });

  it('never pairs a remote or a non-UI browser connect silently', () => {
    expect(decideDevicePairing(none, { ...local, locality: 'remote' }, policy, 0).kind).toBe('request');
    expect(decideDevicePairing(none, { ...local, browserOrigin: true }, policy, 0).kind).toBe('request');
    expect(decideDevicePairing(none, { ...local, browserOrigin: true, uiClient: true }, policy, 0).kind).toBe('approve-silently');
  });

  it('reuses a live pending request with the same role and scopes, supersedes a different one, ignores an expired one', () => {
    const pending = { requestId: 'r1', role: 'node', scopes: [], ts: 1000 };
    const remote = { ...local, locality: 'remote' as const };
    expect(decideDevicePairing({ paired: null, pending }, remote, policy, 2000)).toMatchObject({ reuseRequestId: 'r1', supersedeRequestId: null });
    expect(decideDevicePairing({ paired: null, pending }, { ...remote, role: 'operator', scopes: ['operator.read'] }, policy, 2000)).toMatchObject({ reuseRequestId: null, supersedeRequestId: 'r1' });
    expect(decideDevicePairing({ paired: null, pending }, remote, policy, 1000 + 300_000)).toMatchObject({ reuseRequestId: null, supersedeRequestId: null });
  });

  it('asks again for a role, scope or metadata upgrade; a paired node is not upgraded silently', () => {
    const paired = { roles: ['operator'], scopes: ['operator.read'], platform: 'linux', deviceFamily: 'Linux' };
    const op = { ...local, role: 'operator', scopes: ['operator.read'] };
    expect(decideDevicePairing({ paired, pending: null }, op, policy, 0)).toEqual({ kind: 'covered' });
    expect(decideDevicePairing({ paired, pending: null }, { ...op, scopes: ['operator.admin'] }, policy, 0)).toEqual({ kind: 'approve-silently', reason: 'scope-upgrade' });
    expect(decideDevicePairing({ paired, pending: null }, { ...op, scopes: ['operator.admin'], authMethod: 'device-token' }, policy, 0).kind).toBe('request');
    expect(decideDevicePairing({ paired, pending: null }, { ...op, platform: 'macos' }, policy, 0)).toEqual({ kind: 'approve-silently', reason: 'metadata-upgrade' });
    // The same key as a node: an already paired device asking for a non-operator role waits for an operator.
    expect(decideDevicePairing({ paired, pending: null }, local, policy, 0)).toMatchObject({ kind: 'request', reason: 'role-upgrade' });
    // A paired node connecting as an operator is upgraded silently (observed on loopback).
    const node = { roles: ['node'], scopes: [], platform: 'linux', deviceFamily: 'Linux' };
    expect(decideDevicePairing({ paired: node, pending: null }, op, policy, 0)).toEqual({ kind: 'approve-silently', reason: 'role-upgrade' });
  });
});

describe('node surface rules (NODES.md §2.5)', () => {
  it('keeps the linux allowlist, honours allow/deny, and computes requiredApproveScopes', () => {
    const declared = ['system.run', 'system.which', 'file.stat', 'canvas.present'];
    expect(filterDeclaredCommands('linux', declared, { allow: [], deny: [] })).toEqual({ allowed: ['system.run', 'system.which'], withheld: ['file.stat', 'canvas.present'] });
    expect(filterDeclaredCommands('linux', declared, { allow: ['file.stat'], deny: ['system.run'] }).allowed).toEqual(['system.which', 'file.stat']);
    expect(requiredApproveScopes([])).toEqual(['operator.pairing']);
    expect(requiredApproveScopes(['canvas.present'])).toEqual(['operator.pairing', 'operator.write']);
    expect(requiredApproveScopes(['system.which'])).toEqual(['operator.pairing', 'operator.admin']);
  });

  it('files a request for a surface beyond the approved one, reusing an identical pending one', () => {
    const approved = { caps: ['system'], commands: ['system.which'] };
    expect(decideNodeSurface({ approved, pending: null }, { caps: ['system'], commands: ['system.which'] })).toEqual({ kind: 'approved' });
    expect(decideNodeSurface({ approved, pending: null }, { caps: ['system'], commands: ['system.which', 'system.run'] })).toEqual({ kind: 'request', reuseRequestId: null });
    const pending = { requestId: 'p', caps: ['system'], commands: ['system.run'] };
    expect(decideNodeSurface({ approved: null, pending }, { caps: ['system'], commands: ['system.run'] })).toEqual({ kind: 'request', reuseRequestId: 'p' });
  });
});
