import { defineCommand } from 'citty';
import { ConfigError, resolvePaths, setupProfile } from './config.js';
import { resolvePort } from './gateway-run-args.js';

/** `openclaw setup`: config (local mode, generated token), state dir and workspace for this profile. */
export const setupCommand = defineCommand({
  meta: { name: 'setup', description: 'Create the config, state dir, workspace and a gateway token for this profile' },
  args: {
    port: { type: 'string', description: 'Gateway port to write into the config (default: keep, else OPENCLAW_GATEWAY_PORT or 18789)' },
    workspace: { type: 'string', description: 'Agent workspace folder (default: ~/.openclaw/workspace[-<profile>])' },
    json: { type: 'boolean', description: 'Machine-readable output' },
  },
  run: ({ args }) => {
    try {
      const paths = resolvePaths(process.env);
      const port = args.port === undefined ? undefined : resolvePort(args.port, process.env, {});
      const result = setupProfile(paths, {
        ...(port !== undefined ? { port } : {}),
        defaultPort: resolvePort(undefined, process.env, {}),
        ...(args.workspace ? { workspace: args.workspace } : {}),
      });
      const effectivePort = resolvePort(undefined, process.env, result.config);
      const token = result.created.token ? result.config.gateway?.auth?.token : undefined;
      if (args.json) {
        const summary = { ok: true, profile: paths.profile ?? 'default', configPath: paths.configPath, stateDir: paths.stateDir, workspace: result.workspace, port: effectivePort, created: result.created };
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        return;
      }
      const lines = [
        `Profile:   ${paths.profile ?? 'default'}`,
        `Config:    ${paths.configPath} (${result.created.config ? 'created' : 'kept'})`,
        `State:     ${paths.stateDir}`,
        `Workspace: ${result.workspace}`,
        `Gateway:   ws://127.0.0.1:${effectivePort}`,
      ];
      if (token) lines.push(`Generated a gateway token (saved in the config, shown once):`, `  ${token}`);
      lines.push(`Next: openclaw${paths.profile === 'dev' ? ' --dev' : paths.profile ? ` --profile ${paths.profile}` : ''} gateway`);
      process.stdout.write(`${lines.join('\n')}\n`);
    } catch (error) {
      process.stderr.write(`openclaw setup: ${(error as Error).message}\n`);
      process.exit(error instanceof ConfigError ? error.exitCode : 1);
    }
  },
});
