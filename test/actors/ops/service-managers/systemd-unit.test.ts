import { describe, expect, it } from 'vitest';
import { buildServiceSpec } from '../../../../actors/ops/service-managers/spec.js';
import { inputs } from '../../../helpers/service-inputs.js';
import { parseSystemdUnit, renderSystemdEnvFile, renderSystemdUnit, systemdFiles, systemdLayout, systemdQuote } from '../../../../actors/ops/service-managers/systemd-unit.js';
import { parseEnvFile } from '../../../../actors/ops/service-managers/files.js';
import { parseSystemctlShow } from '../../../../actors/ops/service-managers/systemd.js';

describe('systemd unit renderer', () => {
  it('renders the system variant under /etc/systemd/system with User= and multi-user.target', () => {
    const spec = buildServiceSpec(inputs({ scope: 'system', profile: 'rescue', port: 19001 }));
    expect(systemdLayout(spec).unitPath).toBe('/etc/systemd/system/openclaw-gateway-rescue.service');
    const unit = renderSystemdUnit(spec).split('\n');
    expect(unit).toContain('Description=OpenClaw Gateway (profile: rescue, v1.2.3)');
    expect(unit).toContain('ExecStart=/usr/local/bin/node /opt/openclaw/bin/openclaw gateway --port 19001');
    expect(unit).toContain('User=alice');
    expect(unit).toContain('WantedBy=multi-user.target');
    expect(unit).not.toContain('WantedBy=default.target');
    expect(unit.indexOf('User=alice')).toBeLessThan(unit.indexOf('WorkingDirectory=/home/alice'));
  });

  it('quotes paths with spaces and doubles % (systemd specifiers)', () => {
    expect(systemdQuote('/opt/my apps/node')).toBe('"/opt/my apps/node"');
    expect(systemdQuote('50%')).toBe('50%%');
    const spec = buildServiceSpec(inputs({ nodePath: '/opt/my apps/node', home: '/home/al "x"' }));
    const unit = renderSystemdUnit(spec);
    expect(unit).toContain('ExecStart="/opt/my apps/node" /opt/openclaw/bin/openclaw gateway --port 18789');
    expect(unit).toContain('WorkingDirectory="/home/al \\"x\\""');
    expect(() => renderSystemdUnit(buildServiceSpec(inputs({ version: 'a\nb' })))).toThrow(RangeError);
  });

  it('parses back what it renders (command, working dir, environment, env file)', () => {
    const spec = buildServiceSpec(inputs({ nodePath: '/opt/my apps/node', profile: 'p1' }));
    const parsed = parseSystemdUnit(renderSystemdUnit(spec));
    expect(parsed.programArguments).toEqual(spec.programArguments);
    expect(parsed.workingDirectory).toBe('/home/alice');
    expect(parsed.environment).toEqual(spec.environment);
    expect(parsed.environmentFiles).toEqual(['/home/alice/.openclaw/gateway.systemd.env']);
  });

  it('keeps secrets out of the unit and in the 0600 env file', () => {
    const spec = buildServiceSpec(inputs({ secrets: { OPENCLAW_GATEWAY_TOKEN: 'a "quoted" $token' } }));
    const [unit, env] = systemdFiles(spec);
    expect(unit).toMatchObject({ role: 'definition', mode: 0o644 });
    expect(String(unit?.content)).not.toContain('token');
    expect(env).toMatchObject({ role: 'env', mode: 0o600, path: '/home/alice/.openclaw/gateway.systemd.env' });
    expect(parseEnvFile(renderSystemdEnvFile(spec.secrets))).toEqual({ OPENCLAW_GATEWAY_TOKEN: 'a "quoted" $token' });
  });

  it('reads systemctl show output', () => {
    expect(parseSystemctlShow('LoadState=loaded\nActiveState=failed\nExecMainStatus=78\n')).toEqual({ LoadState: 'loaded', ActiveState: 'failed', ExecMainStatus: '78' });
  });
});
