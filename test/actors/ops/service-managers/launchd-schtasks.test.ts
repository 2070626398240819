import { describe, expect, it } from 'vitest';
import { parseLaunchctlPrint } from '../../../../actors/ops/service-managers/launchd.js';
import { launchdFiles, launchdLayout, parseLaunchAgentPlist, renderLaunchdEnvFile } from '../../../../actors/ops/service-managers/launchd-plist.js';
import { parseSchtasksQuery } from '../../../../actors/ops/service-managers/schtasks.js';
import { parseTaskScript, renderScheduledTaskXml, renderTaskScript, schtasksFiles } from '../../../../actors/ops/service-managers/schtasks-xml.js';
import { parseEnvFile } from '../../../../actors/ops/service-managers/files.js';
import { buildServiceSpec } from '../../../../actors/ops/service-managers/spec.js';
import { inputs } from '../../../helpers/service-inputs.js';

describe('LaunchAgent renderer', () => {
  const spec = buildServiceSpec(inputs({ platform: 'darwin', home: '/Users/alice', stateDir: '/Users/alice/.openclaw-work', profile: 'work', secrets: { OPENCLAW_GATEWAY_TOKEN: "it's" } }));

  it('labels, paths and logs per profile', () => {
    expect(spec.label).toBe('ai.openclaw.work');
    expect(launchdLayout(spec)).toEqual({
      plistPath: '/Users/alice/Library/LaunchAgents/ai.openclaw.work.plist',
      envFilePath: '/Users/alice/.openclaw-work/service-env/ai.openclaw.work.env',
      wrapperPath: '/Users/alice/.openclaw-work/service-env/ai.openclaw.work-env-wrapper.sh',
      stdoutPath: '/Users/alice/Library/Logs/openclaw/gateway-work.log',
      stderrPath: '/Users/alice/Library/Logs/openclaw/gateway-work.err.log',
    });
    expect(spec.environment.OPENCLAW_LAUNCHD_LABEL).toBe('ai.openclaw.work');
  });

  it('parses back the command (wrapper stripped) and environment; the secret stays in the env file', () => {
    const [plist, env, wrapper] = launchdFiles(spec);
    const parsed = parseLaunchAgentPlist(String(plist?.content));
    expect(parsed.programArguments).toEqual(spec.programArguments);
    expect(parsed.environment).toEqual(spec.environment);
    expect(String(plist?.content)).not.toContain("it's");
    expect(parseEnvFile(renderLaunchdEnvFile(spec.secrets))).toEqual({ OPENCLAW_GATEWAY_TOKEN: "it's" });
    expect([plist?.mode, env?.mode, wrapper?.mode]).toEqual([0o644, 0o600, 0o700]);
  });

  it('reads launchctl print', () => {
    expect(parseLaunchctlPrint('gui/501/ai.openclaw.gateway = {\n\tstate = running\n\tpid = 812\n\tlast exit code = 0\n}')).toEqual({ status: 'running', state: 'running', pid: 812, lastExitStatus: 0 });
    expect(parseLaunchctlPrint('\tstate = not running\n\tlast exit code = 78\n')).toMatchObject({ status: 'stopped', lastExitStatus: 78 });
  });
});

describe('Scheduled Task renderer', () => {
  const spec = buildServiceSpec(inputs({ platform: 'win32', home: 'C:\\Users\\alice', stateDir: 'C:\\Users\\alice\\.openclaw', configPath: 'C:\\Users\\alice\\.openclaw\\openclaw.json', nodePath: 'C:\\Program Files\\nodejs\\node.exe', entryPath: 'C:\\openclaw\\bin\\openclaw', secrets: { OPENCLAW_GATEWAY_TOKEN: '100%' } }));

  it('names the task, points it at gateway.cmd and keeps PATH inherited', () => {
    expect(spec.label).toBe('OpenClaw Gateway');
    expect(spec.environment.PATH).toBeUndefined();
    const xml = renderScheduledTaskXml(spec);
    expect(xml).toContain('<Command>C:\\Users\\alice\\.openclaw\\gateway.cmd</Command>');
    expect(xml).toContain('<UserId>alice</UserId>');
    expect(schtasksFiles(spec).map((file) => [file.role, file.path])).toEqual([
      ['definition', 'C:\\Users\\alice\\.openclaw\\gateway-task.xml'],
      ['script', 'C:\\Users\\alice\\.openclaw\\gateway.cmd'],
      ['env', 'C:\\Users\\alice\\.openclaw\\gateway.env.cmd'],
    ]);
  });

  it('parses back the launcher script; secrets go to gateway.env.cmd with % escaped', () => {
    const script = renderTaskScript(spec);
    expect(parseTaskScript(script)).toEqual({ programArguments: [...spec.programArguments], environment: spec.environment });
    expect(script).toContain('>> "C:\\Users\\alice\\.openclaw\\logs\\gateway.log" 2>&1');
    const envFile = String(schtasksFiles(spec)[2]?.content);
    expect(envFile).toContain('set "OPENCLAW_GATEWAY_TOKEN=100%%"');
    expect(parseEnvFile(envFile)).toEqual({ OPENCLAW_GATEWAY_TOKEN: '100%' });
  });

  it('reads schtasks /Query /V /FO LIST', () => {
    expect(parseSchtasksQuery('TaskName:      \\OpenClaw Gateway\nStatus:        Running\nLast Result:   0\n')).toEqual({ status: 'running', state: 'Running', lastExitStatus: 0 });
    expect(parseSchtasksQuery('Status: Ready\n')).toMatchObject({ status: 'stopped' });
  });
});
