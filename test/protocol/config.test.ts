/** `openclaw.json` validation: one line naming the dotted path, what was expected and what was found. */
import { describe, expect, it } from 'vitest';
import { isGatewayFileConfig } from '../../protocol/config.js';

const issue = (value: unknown): string => {
  expect(isGatewayFileConfig(value)).toBe(false);
  return isGatewayFileConfig.lastError();
};

describe('config validation', () => {
  it('names the path, the expectation and the value', () => {
    expect(issue({ gateway: { port: 'abc' } })).toBe('gateway.port: expected integer 0–65535, got "abc"');
    expect(issue({ gateway: { port: 70000 } })).toBe('gateway.port: expected integer 0–65535, got 70000');
    expect(issue({ gateway: { bind: 'everywhere' } })).toBe('gateway.bind: expected one of "loopback", "lan", "tailnet", "auto", "custom", got "everywhere"');
    expect(issue({ gateway: { reload: { mode: 'sometimes' } } })).toBe('gateway.reload.mode: expected one of "off", "hot", "restart", "hybrid", got "sometimes"');
    expect(issue({ canvasHost: { enabled: 'yes' } })).toBe('canvasHost.enabled: expected boolean (true or false), got "yes"');
    expect(issue({ logging: { maxFileBytes: 10 } })).toBe('logging.maxFileBytes: expected integer ≥ 1024, got 10');
    expect(issue({ commands: { restart: 1 } })).toBe('commands.restart: expected boolean (true or false), got 1');
    expect(issue({ gateway: [] })).toBe('gateway: expected object, got []');
    expect(issue([])).toBe('<root>: expected object, got []');
  });

  it('never echoes a secret', () => {
    expect(issue({ gateway: { auth: { token: 12345678 } } })).toBe('gateway.auth.token: expected non-empty string or SecretRef {source, provider?, id}, got a number (value hidden)');
  });

  it('accepts the documented keys and keeps unknown ones', () => {
    const config = {
      gateway: {
        mode: 'local', port: 19001, bind: 'loopback', auth: { mode: 'token', token: 't' }, reload: { mode: 'hybrid', debounceMs: 300 },
        http: { endpoints: { chatCompletions: { enabled: true } } }, controlUi: { enabled: true },
      },
      canvasHost: { enabled: true, port: 19005, root: '/tmp/canvas' },
      agents: { defaults: { workspace: '~/.openclaw/workspace-dev' } },
      commands: { restart: false },
      logging: { level: 'debug', file: '/tmp/x.log', maxFileBytes: 1048576, maxFiles: 3 },
      channels: { telegram: { enabled: false } },
    };
    expect(isGatewayFileConfig(config)).toBe(true);
  });
});
