import { nodesCommand } from './nodes.js';
import { devicesCommand } from './devices.js';
import { defineCommand, renderUsage, runMain } from 'citty';
import { SERVER_VERSION } from '../protocol/version.js';
import { gatewayCommand } from './gateway.js';
import { agentCommand } from './agent.js';
import { logsCommand } from './logs.js';
import { selectProfile } from './profile.js';
import { setupCommand } from './setup.js';
import { doctorCommand } from './doctor.js';
import { statusSummaryCommand } from './status.js';
import { healthCommand } from './gateway-health.js';
import { dashboardCommand } from './dashboard.js';
import { secretsCommand } from './secrets.js';
import { checkArgs, EXIT_USAGE } from './strict-args.js';
import { channelsCommand } from './channels.js';
import { messageCommand } from './message.js';
import { pairingCommand } from './pairing.js';

/** The `openclaw` CLI. */
const main = defineCommand({
  meta: { name: 'openclaw', version: SERVER_VERSION, description: 'OpenClaw gateway (actor runtime) and its clients' },
  // Global flags, taken out by selectProfile before citty parses; listed here for `--help`.
  args: {
    dev: { type: 'boolean', description: 'Before the command: dev profile (~/.openclaw-dev, port 19001)' },
    profile: { type: 'string', description: 'Before the command: profile <name> (~/.openclaw-<name>, own config and journal)' },
  },
  subCommands: { gateway: gatewayCommand, agent: agentCommand, setup: setupCommand, logs: logsCommand, doctor: doctorCommand, status: statusSummaryCommand, health: healthCommand, secrets: secretsCommand, channels: channelsCommand, message: messageCommand, pairing: pairingCommand, nodes: nodesCommand, devices: devicesCommand, dashboard: dashboardCommand },
});

// Global `--dev` / `--profile <name>` come before the subcommand and select state, config and port.
const profile = selectProfile(process.argv.slice(2), process.env);
if (profile.error) {
  process.stderr.write(`openclaw: ${profile.error}\n`);
  process.exit(2);
}
Object.assign(process.env, profile.env);

// `openclaw gateway --port 1` means `openclaw gateway run --port 1`: citty would read `1` as a subcommand.
// `openclaw gateway --help` is the help of `gateway` itself (its run flags and its subcommands).
const rawArgs = profile.args;
const help = rawArgs.includes('--help') || rawArgs.includes('-h');
const gatewayHelp = rawArgs[0] === 'gateway' && help && rawArgs.slice(1).every((arg) => arg === '--help' || arg === '-h');
if (rawArgs[0] === 'gateway' && !gatewayHelp && (rawArgs.length === 1 || rawArgs[1]?.startsWith('-'))) rawArgs.splice(1, 0, 'run');

// citty accepts any flag: refuse unknown or misplaced ones (and unknown commands) with one line.
const refusal = help || (rawArgs.length === 1 && rawArgs[0] === '--version') ? undefined : checkArgs(main, rawArgs);
if (refusal) {
  process.stderr.write(`openclaw: ${refusal.message}\n`);
  process.exit(EXIT_USAGE);
}

// Usage goes straight to stdout (consola's log level would hide it in some environments).
await runMain(main, { rawArgs, showUsage: async (cmd, parent) => void process.stdout.write(`${await renderUsage(cmd, parent)}\n`) });
