import { describe, expect, it } from 'vitest';
import { resolveAgentRuntime } from '../../bin/agent-config.js';

describe('agent runtime from config and env', () => {
  it('runs every agent on the offline provider when nothing is configured', () => {
    const runtime = resolveAgentRuntime({}, {}, '/state/workspace');
    expect(runtime.agents).toEqual([{ id: 'main', workspace: '/state/workspace', isDefault: true, model: 'offline/echo-1' }]);
    expect(runtime.options).toMatchObject({ providers: [], defaultModel: 'offline/echo-1', defaultTimeoutMs: 600_000, dmScope: 'main' });
  });

  it('reads providers (kind or official api), keys from ${VAR} or the env, agents with defaults and workspaces', () => {
    const runtime = resolveAgentRuntime(
      {
        models: {
          providers: {
            local: { api: 'openai-completions', baseUrl: 'http://127.0.0.1:11434/v1', models: [{ id: 'llama3.2' }] },
            claude: { kind: 'anthropic', apiKey: '${MY_CLAUDE_KEY}' },
          },
        },
        agents: { defaults: { timeoutSeconds: 30 }, list: [{ id: 'main' }, { id: 'Writer', default: true, model: { primary: 'claude/claude-x' } }] },
        session: { dmScope: 'per-peer' },
      },
      { OPENAI_API_KEY: 'sk-env', MY_CLAUDE_KEY: 'sk-ant-var', HOME: '/home/u' },
      '/state/workspace',
    );
    expect(runtime.options.providers).toEqual([
      { name: 'local', kind: 'openai', model: 'llama3.2', baseUrl: 'http://127.0.0.1:11434/v1', apiKey: 'sk-env' },
      { name: 'claude', kind: 'anthropic', model: 'claude-sonnet-4-5', apiKey: 'sk-ant-var' },
    ]);
    expect(runtime.options).toMatchObject({ defaultModel: 'local/llama3.2', defaultTimeoutMs: 30_000, dmScope: 'per-peer' });
    expect(runtime.agents).toEqual([
      { id: 'main', workspace: '/state/workspace-main', isDefault: false, model: 'local/llama3.2' },
      { id: 'writer', workspace: '/state/workspace', isDefault: true, model: 'claude/claude-x' },
    ]);
  });

  it('adds the built-in openai/anthropic providers when a model names them without an entry', () => {
    const runtime = resolveAgentRuntime({ agents: { defaults: { model: 'anthropic/claude-y' } } }, { ANTHROPIC_API_KEY: 'k' }, '/w');
    expect(runtime.options.providers).toEqual([{ name: 'anthropic', kind: 'anthropic', model: 'claude-sonnet-4-5', apiKey: 'k' }]);
    expect(runtime.agents[0]?.model).toBe('anthropic/claude-y');
  });
});
