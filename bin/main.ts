import { defineCommand, renderUsage, runMain } from 'citty';
import { SERVER_VERSION } from '../protocol/version.js';
import { selectProfile } from './profile.js';
import { checkArgs, EXIT_USAGE } from './strict-args.js';

/** The `openclaw` CLI. */
const main = defineCommand({
  meta: { name: 'openclaw', version: SERVER_VERSION, description: 'OpenClaw gateway (actor runtime) and its clients' },
  // Global flags, taken out by selectProfile before citty parses; listed here for `--help`.
  args: {
    dev: { type: 'boolean', description: 'Before the command: dev profile (~/.openclaw-dev, port 19001)' },
    profile: { type: 'string', description: 'Before the command: profile <name> (~/.openclaw-<name>, own config and journal)' },
  },
  // Each command's module loads only when it runs (or the root `--help` lists it).
  subCommands: {
    gateway: () => import('./gateway.js').then((m) => m.gatewayCommand),
    agent: () => import('./agent.js').then((m) => m.agentCommand),
    setup: () => import('./setup.js').then((m) => m.setupCommand),
    logs: () => import('./logs.js').then((m) => m.logsCommand),
    doctor: () => import('./doctor.js').then((m) => m.doctorCommand),
    status: () => import('./status.js').then((m) => m.statusSummaryCommand),
    health: () => import('./gateway-health.js').then((m) => m.healthCommand),
    secrets: () => import('./secrets.js').then((m) => m.secretsCommand),
    channels: () => import('./channels.js').then((m) => m.channelsCommand),
    message: () => import('./message.js').then((m) => m.messageCommand),
    pairing: () => import('./pairing.js').then((m) => m.pairingCommand),
    nodes: () => import('./nodes.js').then((m) => m.nodesCommand),
    devices: () => import('./devices.js').then((m) => m.devicesCommand),
    dashboard: () => import('./dashboard.js').then((m) => m.dashboardCommand),
  },
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
const refusal = help || (rawArgs.length === 1 && rawArgs[0] === '--version') ? undefined : await checkArgs(main, rawArgs);
if (refusal) {
  process.stderr.write(`openclaw: ${refusal.message}\n`);
  process.exit(EXIT_USAGE);
}

// Usage goes straight to stdout (consola's log level would hide it in some environments).
await runMain(main, { rawArgs, showUsage: async (cmd, parent) => void process.stdout.write(`${await renderUsage(cmd, parent)}\n`) });
