import { defineCommand, type ArgsDef } from 'citty';
import { controlService, installService, uninstallService } from '../actors/ops/service-managers/lifecycle.js';
import type { ServiceActionResult } from '../protocol/cli/service.js';
import { writeConfigFile } from '../actors/config/file.js';
import { ensureConfig } from './config.js';
import { resolvePort } from './gateway-run-args.js';
import { resolveServiceContext } from './service-context.js';
import { CliFailure, fail } from './target.js';

/**
 * `openclaw gateway install|uninstall|start|stop|restart`: the supervised service of this
 * profile (systemd user/system unit, LaunchAgent, Scheduled Task).
 */

const jsonArg = { json: { type: 'boolean', description: 'Machine-readable output' } } as const satisfies ArgsDef;

/** Prints a service action result; exits 1 when it failed. */
function report(result: ServiceActionResult, json: boolean | undefined, notes: readonly string[] = []): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const lines = [...notes, result.message];
    if (result.action === 'install' && result.ok && result.result !== 'already-installed') {
      for (const file of result.files) lines.push(`  ${file.path} (${file.mode})`);
    }
    for (const hint of result.hints) lines.push(`Hint: ${hint}`);
    (result.ok ? process.stdout : process.stderr).write(`${lines.join('\n')}\n`);
  }
  if (!result.ok) process.exit(1);
}

/** `gateway install`. */
export const installCommand = defineCommand({
  meta: { name: 'install', description: 'Install the gateway as a service (systemd, launchd, schtasks) and start it' },
  args: {
    port: { type: 'string', description: 'Port the service runs the gateway on (default: OPENCLAW_GATEWAY_PORT, gateway.port, 18789)' },
    token: { type: 'string', description: 'Gateway token, stored in the owner-only env file of the service' },
    force: { type: 'boolean', description: 'Reinstall even when already installed (picks up port/env/path changes)' },
    system: { type: 'boolean', description: 'systemd system unit (/etc/systemd/system, User=, multi-user.target) instead of a user unit' },
    ...jsonArg,
  },
  run: async ({ args }) => {
    try {
      const context = resolveServiceContext(args);
      if (context.configError) {
        throw new CliFailure('invalid_config', `${context.configError}; fix it (see \`openclaw doctor\`) before installing the service`);
      }
      const notes: string[] = [];
      const ensured = ensureConfig(context.paths);
      let config = ensured.config;
      const explicitToken = context.spec.secrets.OPENCLAW_GATEWAY_TOKEN;
      if (ensured.createdToken && (explicitToken || args.port)) {
        // A fresh config records the port and token the service uses, so clients reading it agree with the service.
        const gateway = { ...config.gateway, ...(args.port ? { port: context.port } : {}) };
        if (explicitToken) gateway.auth = { ...gateway.auth, mode: 'token', token: explicitToken };
        config = { ...config, gateway };
        writeConfigFile(context.paths.configPath, config);
      }
      if (ensured.createdToken) {
        notes.push(`Created ${context.paths.configPath} with ${explicitToken ? 'the given token' : 'a generated gateway token (see gateway.auth.token)'}.`);
      }
      const result = await installService(context.manager, context.spec, context.runner, { force: args.force === true });
      const settingsPort = resolvePort(undefined, process.env, config);
      if (args.port && settingsPort !== context.port) {
        result.hints.push(`--port ${context.port} differs from the configured port ${settingsPort} (OPENCLAW_GATEWAY_PORT / gateway.port in ${context.paths.configPath}): \`openclaw doctor\` reports the service as drifted until they match.`);
      }
      if (config.gateway?.mode !== 'local') {
        result.hints.push(`gateway.mode is not "local" in ${context.paths.configPath}: the service will refuse to start until it is.`);
      }
      const auth = config.gateway?.auth;
      const needsToken = (auth?.mode ?? 'token') === 'token' && !auth?.token && !context.spec.secrets.OPENCLAW_GATEWAY_TOKEN;
      if (needsToken) result.hints.push('No gateway token is configured: the service will refuse to start. Run `openclaw doctor --fix` to generate one.');
      report(result, args.json, args.json ? [] : notes);
    } catch (error) {
      fail(error, args.json, 'Gateway install failed');
    }
  },
});

/** `gateway uninstall`. */
export const uninstallCommand = defineCommand({
  meta: { name: 'uninstall', description: 'Stop and remove the gateway service of this profile' },
  args: { system: { type: 'boolean', description: 'The systemd system unit instead of the user unit' }, ...jsonArg },
  run: async ({ args }) => {
    try {
      const context = resolveServiceContext(args);
      report(await uninstallService(context.manager, context.spec, context.runner), args.json);
    } catch (error) {
      fail(error, args.json, 'Gateway uninstall failed');
    }
  },
});

const disableArg = {
  disable: { type: 'boolean', description: 'Also persistently suppress auto-start (systemctl disable, launchctl disable, schtasks /DISABLE) until `gateway start`' },
} as const satisfies ArgsDef;

function controlCommand(action: 'start' | 'stop' | 'restart', description: string) {
  return defineCommand({
    meta: { name: action, description },
    args: { system: { type: 'boolean', description: 'The systemd system unit instead of the user unit' }, ...(action === 'stop' ? disableArg : {}), ...jsonArg },
    run: async ({ args }) => {
      try {
        const context = resolveServiceContext(args);
        const disable = action === 'stop' && (args as { disable?: boolean }).disable === true;
        report(await controlService(context.manager, context.spec, context.runner, action, { disable }), args.json);
      } catch (error) {
        fail(error, args.json, `Gateway ${action} failed`);
      }
    },
  });
}

/** `gateway start`: start the installed service (idempotent). */
export const startCommand = controlCommand('start', 'Start the installed gateway service');
/** `gateway stop`: stop the installed service (a no-op when none is installed). */
export const stopCommand = controlCommand('stop', 'Stop the installed gateway service');
/** `gateway restart`: restart the installed service. */
export const restartCommand = controlCommand('restart', 'Restart the installed gateway service');
