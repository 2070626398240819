import { defineCommand } from 'citty';
import { runArgs, runGateway } from './gateway-run.js';
import { callCommand } from './gateway-call.js';
import { healthCommand } from './gateway-health.js';
import { journalCommand } from './gateway-journal.js';
import { installCommand, restartCommand, startCommand, stopCommand, uninstallCommand } from './gateway-install.js';
import { statusCommand } from './gateway-status.js';
import { probeCommand } from './gateway-probe.js';
import { inspectCommand } from './gateway-inspect.js';

/** `openclaw gateway [run]` runs the daemon; the other subcommands talk to one or read its journal. */
export const gatewayCommand = defineCommand({
  meta: { name: 'gateway', description: 'Run the gateway, call it, or read its journal' },
  // `openclaw gateway [flags]` is `gateway run [flags]` (bin/main.ts); listed here for `--help`.
  args: runArgs,
  subCommands: {
    run: defineCommand({ meta: { name: 'run', description: 'Run the gateway in the foreground' }, args: runArgs, run: ({ args }) => runGateway(args) }),
    call: callCommand,
    health: healthCommand,
    journal: journalCommand,
    install: installCommand,
    uninstall: uninstallCommand,
    start: startCommand,
    stop: stopCommand,
    restart: restartCommand,
    status: statusCommand,
    probe: probeCommand,
    inspect: inspectCommand,
  },
});
