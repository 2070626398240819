import { spawn } from 'node:child_process';
import { defineCommand } from 'citty';
import { normalizeBasePath } from '../actors/control-ui/module.js';
import { localSecret } from '../actors/secrets/local.js';
import { readConfig, resolvePaths } from './config.js';
import { resolvePort } from './gateway-run-args.js';

/** The Control UI URL of the local gateway, with the token in the fragment (never sent to a server). */
export function dashboardUrl(env: NodeJS.ProcessEnv, portFlag?: string): string {
  const config = readConfig(resolvePaths(env).configPath) ?? {};
  const port = resolvePort(portFlag, env, config);
  const base = normalizeBasePath(config.gateway?.controlUi?.basePath);
  const secret =
    env.OPENCLAW_GATEWAY_TOKEN ??
    localSecret(config, config.gateway?.auth?.token, 'gateway.auth.token', env) ??
    env.OPENCLAW_GATEWAY_PASSWORD ??
    localSecret(config, config.gateway?.auth?.password, 'gateway.auth.password', env);
  return `http://127.0.0.1:${port}${base}/${secret ? `#token=${encodeURIComponent(secret)}` : ''}`;
}

/** The command that opens a URL on this desktop, or null where there is none (SSH, containers). */
function opener(env: NodeJS.ProcessEnv): { command: string; args: string[] } | null {
  if (process.platform === 'darwin') return { command: 'open', args: [] };
  if (process.platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""'] };
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return { command: 'xdg-open', args: [] };
  return null;
}

/** `openclaw dashboard [--no-open] [--port n]`: prints the Control UI URL and opens it where a desktop exists. */
export const dashboardCommand = defineCommand({
  meta: { name: 'dashboard', description: 'Print the Control UI URL (with the token) and open it in a browser' },
  args: {
    open: { type: 'boolean', default: true, description: 'Open it in the desktop browser (--no-open: only print)' },
    port: { type: 'string', description: 'Gateway port (default: OPENCLAW_GATEWAY_PORT, gateway.port, 18789)' },
  },
  run({ args }) {
    const env = process.env;
    const url = dashboardUrl(env, args.port);
    process.stdout.write(`Dashboard URL: ${url}\n`);
    const file = readConfig(resolvePaths(env).configPath) ?? {};
    if (file.gateway?.controlUi?.enabled === false) process.stdout.write('Note: gateway.controlUi.enabled is false in the config; the gateway does not serve the UI.\n');
    const how = args.open ? opener(env) : null;
    if (!how) {
      if (args.open) process.stdout.write('No desktop found: open the URL in a browser on this machine (or through an SSH tunnel to the port).\n');
      return;
    }
    const child = spawn(how.command, [...how.args, url], { stdio: 'ignore', detached: true });
    child.on('error', () => process.stdout.write(`Could not run ${how.command}: open the URL yourself.\n`));
    child.unref();
  },
});
