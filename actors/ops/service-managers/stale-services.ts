import { existsSync } from 'node:fs';
import type { ExtraService } from '../../../protocol/cli/service.js';

/**
 * `gateway status --deep` cleanup hints: which of the other gateway-like services are stale
 * (a legacy name, or a definition whose state dir or program is gone) and the commands that
 * remove one. Read-only: it only says what to run.
 */

/** The state dir and absolute program paths a systemd unit or LaunchAgent plist names. */
function referencedPaths(text: string): { stateDir?: string; programs: string[] } {
  const stateDir =
    /OPENCLAW_STATE_DIR=("?)([^"\n]+)\1\s*$/m.exec(text)?.[2] ??
    /<key>OPENCLAW_STATE_DIR<\/key>\s*<string>([^<]+)<\/string>/.exec(text)?.[1];
  const exec = /^ExecStart=(.+)$/m.exec(text)?.[1];
  const plistArgs = /<key>ProgramArguments<\/key>\s*<array>([\s\S]*?)<\/array>/.exec(text)?.[1];
  const words = exec ? exec.trim().split(/\s+/).slice(0, 2) : [...(plistArgs ?? '').matchAll(/<string>([^<]+)<\/string>/g)].slice(0, 2).map((m) => m[1] ?? '');
  return { ...(stateDir ? { stateDir: stateDir.trim() } : {}), programs: words.filter((word) => word.startsWith('/')) };
}

/** Why a found service is stale, or undefined when it looks alive (or cannot be told). */
export function staleReason(extra: Pick<ExtraService, 'legacy'>, text: string): string | undefined {
  if (extra.legacy) return 'legacy service name (clawdbot/moltbot era); the gateway is now `openclaw gateway`';
  const { stateDir, programs } = referencedPaths(text);
  if (stateDir && !existsSync(stateDir)) return `its state dir ${stateDir} no longer exists`;
  const missing = programs.find((path) => !existsSync(path));
  return missing ? `its program ${missing} no longer exists` : undefined;
}

/** Commands that stop and remove a stale service, most specific first. */
export function cleanupHints(extra: ExtraService, text: string, uid: number): string[] {
  const profile = /OPENCLAW_PROFILE[=<"'\s/a-z>]*?([A-Za-z0-9_-]+)\s*(?:"|<\/string>|$)/m.exec(text)?.[1];
  const hints: string[] = [];
  if (extra.openclawProfileService && !extra.legacy) {
    hints.push(`openclaw ${profile ? `--profile ${profile} ` : ''}gateway uninstall${extra.scope === 'system' && extra.platform === 'linux' ? ' --system' : ''}`);
  }
  if (extra.legacy && extra.scope === 'user' && extra.platform !== 'win32') hints.push('openclaw doctor --fix   (removes legacy per-user services)');
  const label = extra.label.replace(/\.plist$/, '');
  if (extra.platform === 'linux') {
    const sudo = extra.scope === 'system' ? 'sudo ' : '';
    const user = extra.scope === 'system' ? '' : ' --user';
    hints.push(`${sudo}systemctl${user} disable --now ${extra.label} && ${sudo}rm ${extra.path} && ${sudo}systemctl${user} daemon-reload`);
  } else if (extra.platform === 'darwin') {
    if (extra.path.startsWith('/Library/LaunchDaemons/')) hints.push(`sudo launchctl bootout system/${label} && sudo rm ${extra.path}`);
    else hints.push(`launchctl bootout gui/${uid}/${label} && ${extra.path.startsWith('/Library/') ? 'sudo ' : ''}rm ${extra.path}`);
  } else {
    hints.push(`schtasks /Delete /F /TN "${extra.label}"`);
  }
  return hints;
}
