/** Global `--dev` / `--profile <name>` (PROTOCOL.md §10.1): isolated state, config and ports. */
import { describe, expect, it } from 'vitest';
import { selectProfile } from '../../bin/profile.js';
import { resolvePaths } from '../../bin/config.js';

const home = { HOME: '/home/u' };

describe('profile selection', () => {
  it('--dev selects ~/.openclaw-dev, its config and port 19001', () => {
    expect(selectProfile(['--dev', 'gateway', '--allow-unconfigured'], home)).toEqual({
      args: ['gateway', '--allow-unconfigured'],
      env: { OPENCLAW_PROFILE: 'dev', OPENCLAW_STATE_DIR: '/home/u/.openclaw-dev', OPENCLAW_CONFIG_PATH: '/home/u/.openclaw-dev/openclaw.json', OPENCLAW_GATEWAY_PORT: '19001' },
    });
  });

  it('--profile <name> selects ~/.openclaw-<name> and keeps the port', () => {
    expect(selectProfile(['--profile', 'rescue', 'status'], home)).toEqual({
      args: ['status'],
      env: { OPENCLAW_PROFILE: 'rescue', OPENCLAW_STATE_DIR: '/home/u/.openclaw-rescue', OPENCLAW_CONFIG_PATH: '/home/u/.openclaw-rescue/openclaw.json' },
    });
    expect(selectProfile(['--profile=a', 'setup'], home).env.OPENCLAW_STATE_DIR).toBe('/home/u/.openclaw-a');
  });

  it('keeps what the caller set explicitly', () => {
    const env = { ...home, OPENCLAW_STATE_DIR: '/srv/oc', OPENCLAW_GATEWAY_PORT: '20000' };
    expect(selectProfile(['--dev', 'health'], env).env).toEqual({ OPENCLAW_PROFILE: 'dev', OPENCLAW_CONFIG_PATH: '/srv/oc/openclaw.json' });
  });

  it('leaves `gateway --dev` (the run flag) and commands without global flags alone', () => {
    expect(selectProfile(['gateway', '--dev'], home)).toEqual({ args: ['gateway', '--dev'], env: {} });
  });

  it('refuses bad names and --dev with another profile', () => {
    expect(selectProfile(['--profile', '../x'], home).error).toMatch(/invalid --profile/);
    expect(selectProfile(['--profile'], home).error).toMatch(/invalid --profile/);
    expect(selectProfile(['--dev', '--profile', 'a', 'status'], home).error).toBe('--dev cannot be combined with --profile');
  });

  it('gives each profile its own workspace', () => {
    const dev = { ...home, ...selectProfile(['--dev'], home).env };
    expect(resolvePaths(dev)).toMatchObject({ profile: 'dev', stateDir: '/home/u/.openclaw-dev', defaultWorkspace: '/home/u/.openclaw/workspace-dev' });
    expect(resolvePaths(home)).toMatchObject({ stateDir: '/home/u/.openclaw', configPath: '/home/u/.openclaw/openclaw.json', defaultWorkspace: '/home/u/.openclaw/workspace' });
    expect(resolvePaths({ ...home, OPENCLAW_STATE_DIR: '/tmp/s', OPENCLAW_PROFILE: '' })).toMatchObject({ stateDir: '/tmp/s', defaultWorkspace: '/tmp/s/workspace' });
  });
});
