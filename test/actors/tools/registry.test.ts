import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { ToolRegistry, isToolAllowedOverHttp, type ToolContext } from '../../../actors/tools/registry.js';
import { agentToolRegistry } from '../../../actors/tools/agent-registry.js';

const context = { agentId: 'main', sessionKey: 'agent:main:main', signal: new AbortController().signal } as unknown as ToolContext;

describe('ToolRegistry', () => {
  it('describes its tools as plain JSON schemas for models', () => {
    const specs = agentToolRegistry(context.services, () => 0).specs();
    expect(specs.map((s) => s.name)).toEqual(['presence_roster', 'gateway_status', 'session_history']);
    expect(specs[2]?.parameters).toMatchObject({ type: 'object', additionalProperties: false, properties: { limit: { type: 'integer' } } });
  });

  it('validates args before a tool runs and reports failures as values', async () => {
    const registry = new ToolRegistry();
    let runs = 0;
    registry.register({
      name: 'double',
      description: 'doubles n',
      parameters: Type.Object({ n: Type.Integer() }, { additionalProperties: false }),
      execute: ({ n }: { n: number }) => {
        runs += 1;
        if (n < 0) throw new Error('negative');
        return { content: [{ type: 'text', text: String(n * 2) }] };
      },
    });
    expect(await registry.invoke('double', { n: 2 }, context)).toEqual({ ok: true, result: { content: [{ type: 'text', text: '4' }] } });
    expect(await registry.invoke('double', { n: 'x' }, context)).toEqual({ ok: false, reason: 'invalid-args', message: 'invalid double args: at /n: must be integer' });
    expect(await registry.invoke('double', { n: -1 }, context)).toMatchObject({ ok: false, reason: 'failed' });
    expect(await registry.invoke('triple', {}, context)).toEqual({ ok: false, reason: 'not-found' });
    expect(runs).toBe(2);
    expect(() => registry.register({ name: 'double', description: '', parameters: Type.Object({}), execute: () => ({ content: [] }) })).toThrow(TypeError);
  });
});

describe('isToolAllowedOverHttp', () => {
  it('denies the default list, lets allow re-admit one and deny win over allow', () => {
    expect(isToolAllowedOverHttp('exec', {})).toBe(false);
    expect(isToolAllowedOverHttp('gateway_status', {})).toBe(true);
    expect(isToolAllowedOverHttp('exec', { allow: ['exec'] })).toBe(true);
    expect(isToolAllowedOverHttp('exec', { allow: ['exec'], deny: ['exec'] })).toBe(false);
    expect(isToolAllowedOverHttp('gateway_status', { deny: ['gateway_status'] })).toBe(false);
  });
});
