import type { ServiceInputs } from '../../actors/ops/service-managers/spec.js';

/** Builder of service inputs: a Linux user unit for alice unless overridden. */
export const inputs = (overrides: Partial<ServiceInputs> = {}): ServiceInputs => ({
  platform: 'linux',
  scope: 'user',
  profile: undefined,
  home: '/home/alice',
  stateDir: '/home/alice/.openclaw',
  configPath: '/home/alice/.openclaw/openclaw.json',
  port: 18789,
  nodePath: '/usr/local/bin/node',
  entryPath: '/opt/openclaw/bin/openclaw',
  version: '1.2.3',
  user: 'alice',
  uid: 1000,
  secrets: {},
  ...overrides,
});
