import { describe, expect, it } from 'vitest';
import { auditService, planInstall, portOfArguments } from '../../../../actors/ops/service-managers/audit.js';
import { buildServiceSpec, normalizeProfile, serviceLabel } from '../../../../actors/ops/service-managers/spec.js';
import { systemdManager } from '../../../../actors/ops/service-managers/systemd.js';
import { renderSystemdUnit, systemdLayout } from '../../../../actors/ops/service-managers/systemd-unit.js';
import { inputs } from '../../../helpers/service-inputs.js';

const installedAs = (overrides: Parameters<typeof inputs>[0]) => {
  const spec = buildServiceSpec(inputs(overrides));
  return new Map([[systemdLayout(spec).unitPath, renderSystemdUnit(spec)]]);
};

describe('service audit', () => {
  it('finds nothing when the installed unit is what install writes now', () => {
    expect(auditService(systemdManager, buildServiceSpec(inputs()), installedAs({}))).toEqual([]);
  });

  it('reports port drift once (the port variable follows the port)', () => {
    const drift = auditService(systemdManager, buildServiceSpec(inputs({ port: 19001 })), installedAs({ port: 18789 }));
    expect(drift).toEqual([{ code: 'port', message: 'the installed service starts the gateway on port 18789, the current settings say 19001', installed: '18789', expected: '19001' }]);
  });

  it('reports a moved CLI and a version change', () => {
    const drift = auditService(systemdManager, buildServiceSpec(inputs({ entryPath: '/new/openclaw', version: '2.0.0' })), installedAs({}));
    expect(drift.map((d) => d.code)).toEqual(['command', 'environment']);
    expect(drift[1]).toMatchObject({ installed: '1.2.3', expected: '2.0.0' });
  });

  it('reports a hand-edited unit as a definition difference', () => {
    const spec = buildServiceSpec(inputs());
    const path = systemdLayout(spec).unitPath;
    const edited = new Map([[path, renderSystemdUnit(spec).replace('RestartSec=5', 'RestartSec=60')]]);
    expect(auditService(systemdManager, spec, edited)).toEqual([{ code: 'definition', message: 'the installed service definition differs from the current defaults' }]);
  });

  it('plans: fresh when absent, keep when present, replace with --force', () => {
    expect([planInstall(false, false), planInstall(false, true), planInstall(true, false), planInstall(true, true)]).toEqual(['fresh', 'fresh', 'keep', 'replace']);
  });

  it('names services per platform and profile', () => {
    expect(['linux', 'darwin', 'win32'].map((p) => serviceLabel(p as 'linux', undefined))).toEqual(['openclaw-gateway.service', 'ai.openclaw.gateway', 'OpenClaw Gateway']);
    expect(['linux', 'darwin', 'win32'].map((p) => serviceLabel(p as 'linux', 'rescue'))).toEqual(['openclaw-gateway-rescue.service', 'ai.openclaw.rescue', 'OpenClaw Gateway (rescue)']);
    expect(normalizeProfile('default')).toBeUndefined();
    expect(() => normalizeProfile('../x')).toThrow(RangeError);
    expect(portOfArguments(['node', 'x', 'gateway', '--port', '1234'])).toBe(1234);
  });
});
