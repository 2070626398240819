import { defineCommand, runMain } from 'citty';
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

/** The `openclaw` CLI. */
const main = defineCommand({
  meta: { name: 'openclaw', version: SERVER_VERSION, description: 'OpenClaw gateway (actor runtime) and its clients' },
  subCommands: { gateway: gatewayCommand, agent: agentCommand, setup: setupCommand, logs: logsCommand, doctor: doctorCommand, status: statusSummaryCommand, health: healthCommand, dashboard: dashboardCommand },
});

// Global `--dev` / `--profile <name>` come before the subcommand and select state, config and port.
const profile = selectProfile(process.argv.slice(2), process.env);
if (profile.error) {
  process.stderr.write(`openclaw: ${profile.error}\n`);
  process.exit(2);
}
Object.assign(process.env, profile.env);

// `openclaw gateway --port 1` means `openclaw gateway run --port 1`: citty would read `1` as a subcommand.
const rawArgs = profile.args;
if (rawArgs[0] === 'gateway' && (rawArgs.length === 1 || rawArgs[1]?.startsWith('-'))) rawArgs.splice(1, 0, 'run');

await runMain(main, { rawArgs });
