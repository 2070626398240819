import { defineCommand, runMain } from 'citty';
import { SERVER_VERSION } from '../protocol/version.js';
import { gatewayCommand } from './gateway.js';

/** The `openclaw` CLI. */
const main = defineCommand({
  meta: { name: 'openclaw', version: SERVER_VERSION, description: 'OpenClaw gateway (actor runtime) and its clients' },
  subCommands: { gateway: gatewayCommand },
});

// `openclaw gateway --port 1` means `openclaw gateway run --port 1`: citty would read `1` as a subcommand.
const rawArgs = process.argv.slice(2);
if (rawArgs[0] === 'gateway' && (rawArgs.length === 1 || rawArgs[1]?.startsWith('-'))) rawArgs.splice(1, 0, 'run');

await runMain(main, { rawArgs });
