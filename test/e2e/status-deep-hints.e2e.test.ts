import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayStatusReport } from '../../protocol/cli/gateway-status.js';
import { createFakeSupervisors, runIsolatedCli, runIsolatedJson, type FakeSupervisors } from '../helpers/fake-supervisors.js';

/** `gateway status --deep` names stale services and prints the commands that clean them up (issue 11 item 8). */

let sandbox: FakeSupervisors;
beforeEach(() => {
  sandbox = createFakeSupervisors();
});
afterEach(() => sandbox.cleanup());

const unit = (stateDir: string, profile: string) =>
  `[Service]\nExecStart=${process.execPath} /opt/openclaw/bin/openclaw gateway --port 19100\nEnvironment=OPENCLAW_STATE_DIR=${stateDir}\nEnvironment=OPENCLAW_PROFILE=${profile}\nEnvironment=OPENCLAW_SERVICE_MARKER=openclaw\n`;

describe('gateway status --deep cleanup hints', () => {
  it('marks legacy units and units whose state dir is gone as stale, with the commands that remove them', async () => {
    const userUnits = join(sandbox.home, '.config', 'systemd', 'user');
    mkdirSync(userUnits, { recursive: true });
    const alive = mkdtempSync(join(sandbox.root, 'state-alive-'));
    writeFileSync(join(userUnits, 'openclaw-gateway-old.service'), unit(join(sandbox.root, 'gone'), 'old'));
    writeFileSync(join(userUnits, 'openclaw-gateway-live.service'), unit(alive, 'live').replace('/opt/openclaw/bin/openclaw', process.execPath));
    writeFileSync(join(userUnits, 'clawdbot-gateway.service'), '[Service]\nExecStart=/usr/bin/clawdbot gateway\n');

    const { json } = await runIsolatedJson<GatewayStatusReport>(['gateway', 'status', '--deep', '--no-probe'], sandbox.env());
    const byLabel = new Map(json.extraServices.filter((e) => e.path.startsWith(userUnits)).map((e) => [e.label, e]));
    expect(byLabel.get('openclaw-gateway-old.service')).toMatchObject({
      stale: true,
      staleReason: `its state dir ${join(sandbox.root, 'gone')} no longer exists`,
      cleanup: [
        'openclaw --profile old gateway uninstall',
        `systemctl --user disable --now openclaw-gateway-old.service && rm ${join(userUnits, 'openclaw-gateway-old.service')} && systemctl --user daemon-reload`,
      ],
    });
    expect(byLabel.get('clawdbot-gateway.service')).toMatchObject({
      stale: true,
      legacy: true,
      cleanup: ['openclaw doctor --fix   (removes legacy per-user services)', expect.stringContaining('systemctl --user disable --now clawdbot-gateway.service')],
    });
    expect(byLabel.get('openclaw-gateway-live.service')?.stale).toBeUndefined();
    expect(byLabel.get('openclaw-gateway-live.service')?.cleanup).toBeUndefined();
    expect(json.warnings).toContain(
      `Stale service ${join(userUnits, 'openclaw-gateway-old.service')} (its state dir ${join(sandbox.root, 'gone')} no longer exists); clean up with: openclaw --profile old gateway uninstall`,
    );

    const human = await runIsolatedCli(['gateway', 'status', '--deep', '--no-probe'], sandbox.env());
    expect(human.stdout).toContain(`Other service: ${join(userUnits, 'openclaw-gateway-old.service')} (another profile) - stale: its state dir`);
    expect(human.stdout).toContain('  cleanup: openclaw --profile old gateway uninstall');
  }, 40_000);

  it('gives launchd cleanup commands for a stale LaunchAgent', async () => {
    const agents = join(sandbox.home, 'Library', 'LaunchAgents');
    mkdirSync(agents, { recursive: true });
    writeFileSync(join(agents, 'bot.molt.gateway.plist'), '<plist><dict><key>Label</key><string>bot.molt.gateway</string></dict></plist>');
    const { json } = await runIsolatedJson<GatewayStatusReport>(['gateway', 'status', '--deep', '--no-probe'], sandbox.env({ OPENCLAW_SERVICE_PLATFORM: 'darwin' }));
    const uid = String(process.getuid?.() ?? 0);
    expect(json.extraServices.find((e) => e.label === 'bot.molt.gateway.plist')).toMatchObject({
      stale: true,
      cleanup: ['openclaw doctor --fix   (removes legacy per-user services)', `launchctl bootout gui/${uid}/bot.molt.gateway && rm ${join(agents, 'bot.molt.gateway.plist')}`],
    });
  });
});
