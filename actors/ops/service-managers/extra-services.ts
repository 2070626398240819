import { readdir, readFile, rm } from 'node:fs/promises';
import { posix } from 'node:path';
import type { ExtraService, ServicePlatform } from '../../../protocol/cli/service.js';
import type { CommandRunner } from './exec.js';
import { cleanupHints, staleReason } from './stale-services.js';

/**
 * `gateway status --deep`: other gateway-like services on this machine (other profiles, system
 * units, legacy names), so the operator can tell which one answers on a port. Read-only.
 */

const SYSTEMD_NAME = /^(openclaw-gateway|clawdbot-gateway|moltbot-gateway)(-[A-Za-z0-9_-]+)?\.service$/;
const LAUNCHD_NAME = /^(ai\.openclaw|bot\.molt|com\.openclaw)\.[A-Za-z0-9_.-]+\.plist$/;
const MARKER = /OPENCLAW_SERVICE_MARKER[=<"'\s/a-z>]*openclaw/i;

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR') return [];
    throw error;
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') return '';
    throw error;
  }
}

/**
 * Services found besides our own (`own`: this profile's definition path and label); the stale
 * ones (legacy names, a state dir or program that is gone) carry `stale` and `cleanup` commands.
 */
export async function findExtraServices(
  platform: ServicePlatform,
  home: string,
  own: { readonly definitionPath: string; readonly label: string },
  run: CommandRunner,
  uid = 0,
): Promise<ExtraService[]> {
  const found: ExtraService[] = [];
  if (platform === 'linux' || platform === 'darwin') {
    const dirs: Array<{ dir: string; scope: 'user' | 'system' }> =
      platform === 'linux'
        ? [{ dir: posix.join(home, '.config', 'systemd', 'user'), scope: 'user' }, { dir: '/etc/systemd/system', scope: 'system' }]
        : [
            { dir: posix.join(home, 'Library', 'LaunchAgents'), scope: 'user' },
            { dir: '/Library/LaunchAgents', scope: 'system' },
            { dir: '/Library/LaunchDaemons', scope: 'system' },
          ];
    const pattern = platform === 'linux' ? SYSTEMD_NAME : LAUNCHD_NAME;
    for (const { dir, scope } of dirs) {
      for (const name of await listDir(dir)) {
        const path = posix.join(dir, name);
        if (path === own.definitionPath) continue;
        const text = name.endsWith('.service') || name.endsWith('.plist') ? await readText(path) : '';
        const marked = MARKER.test(text);
        if (!pattern.test(name) && !marked) continue;
        const legacy = /^(clawdbot|moltbot)-|^(bot\.molt|com\.openclaw)\./.test(name);
        const extra: ExtraService = { platform, scope, label: name, path, openclawProfileService: marked && !legacy, legacy };
        const stale = staleReason(extra, text);
        found.push(stale ? { ...extra, stale: true, staleReason: stale, cleanup: cleanupHints(extra, text, uid) } : extra);
      }
    }
    return found;
  }
  const result = await run('schtasks', ['/Query', '/FO', 'CSV', '/NH']);
  for (const line of result.code === 0 ? result.stdout.split(/\r?\n/) : []) {
    const name = /^"\\?([^"]+)"/.exec(line)?.[1];
    if (!name || !/^OpenClaw (Gateway|Node)/.test(name) || name === own.label) continue;
    found.push({ platform, scope: 'user', label: name, path: `\\${name}`, openclawProfileService: true, legacy: false });
  }
  return found;
}

/**
 * Stops and removes a legacy per-user service (`clawdbot-gateway*.service`, `bot.molt.*` /
 * `com.openclaw.*` LaunchAgents): what `doctor --fix` does for the runbook's legacy migration.
 */
export async function removeLegacyService(extra: ExtraService, uid: number, run: CommandRunner): Promise<string> {
  if (!extra.legacy || extra.scope !== 'user') throw new RangeError(`${extra.path} is not a legacy user service`);
  if (extra.platform === 'linux') {
    await run('systemctl', ['--user', 'disable', '--now', extra.label]);
    await rm(extra.path, { force: true });
    await run('systemctl', ['--user', 'daemon-reload']);
  } else if (extra.platform === 'darwin') {
    await run('launchctl', ['bootout', `gui/${uid}/${extra.label.replace(/\.plist$/, '')}`]);
    await rm(extra.path, { force: true });
  }
  return `removed ${extra.path}`;
}
