import { defineCommand } from 'citty';
import { runArgs } from './gateway-run-args.js';

/*
 * `openclaw gateway [run]` runs the daemon; the other subcommands talk to one or read its journal.
 * Each subcommand's module loads only when that subcommand runs (or `--help` lists it): a client
 * command does not load the daemon, and the daemon does not load the clients.
 */
export const gatewayCommand = defineCommand({
  meta: { name: 'gateway', description: 'Run the gateway, call it, or read its journal' },
  // `openclaw gateway [flags]` is `gateway run [flags]` (bin/main.ts); listed here for `--help`.
  args: runArgs,
  subCommands: {
    run: defineCommand({
      meta: { name: 'run', description: 'Run the gateway in the foreground' },
      args: runArgs,
      run: async ({ args }) => (await import('./gateway-run.js')).runGateway(args),
    }),
    call: () => import('./gateway-call.js').then((m) => m.callCommand),
    health: () => import('./gateway-health.js').then((m) => m.healthCommand),
    journal: () => import('./gateway-journal.js').then((m) => m.journalCommand),
    install: () => import('./gateway-install.js').then((m) => m.installCommand),
    uninstall: () => import('./gateway-install.js').then((m) => m.uninstallCommand),
    start: () => import('./gateway-install.js').then((m) => m.startCommand),
    stop: () => import('./gateway-install.js').then((m) => m.stopCommand),
    restart: () => import('./gateway-install.js').then((m) => m.restartCommand),
    status: () => import('./gateway-status.js').then((m) => m.statusCommand),
    probe: () => import('./gateway-probe.js').then((m) => m.probeCommand),
    inspect: () => import('./gateway-inspect.js').then((m) => m.inspectCommand),
  },
});
