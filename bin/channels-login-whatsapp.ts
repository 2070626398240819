import { callGateway } from '../actors/client/rpc.js';
import { createLogger } from '../actors/logs/logger.js';
import { whatsappChannel } from '../actors/channels/whatsapp/definition.js';
import { SERVER_VERSION } from '../protocol/version.js';
import { readConfig, resolvePaths } from './config.js';
import { resolveTarget } from './target.js';

/**
 * `openclaw channels login --channel whatsapp [--account <id>]`: links a WhatsApp account by QR
 * in this process (Baileys' auth lands under the state dir, owner-only), then asks a running
 * gateway to start the account. Resolves with the exit code.
 */
export async function whatsappLogin(options: { readonly accountId?: string; readonly verbose: boolean; readonly env: NodeJS.ProcessEnv }): Promise<number> {
  const { env } = options;
  const paths = resolvePaths(env);
  const config = readConfig(paths.configPath) ?? {};
  const withSection = config.channels?.whatsapp ? config : { ...config, channels: { ...config.channels, whatsapp: {} } };
  const accountId = options.accountId ?? whatsappChannel.defaultAccountId(withSection);
  const logger = createLogger({ level: options.verbose ? 'debug' : 'warn', write: (line) => process.stderr.write(line) });
  const account = whatsappChannel.accounts(withSection, { stateDir: paths.stateDir, configPath: paths.configPath, logger, env }).find((a) => a.accountId === accountId);
  if (!account) {
    process.stderr.write(`Unknown WhatsApp account "${accountId}".\n`);
    return 1;
  }
  const { runCliLogin } = await import('../actors/channels/whatsapp/cli-login.js');
  const webSocketUrl = typeof account.settings.webSocketUrl === 'string' ? account.settings.webSocketUrl : undefined;
  const result = await runCliLogin({
    accountId,
    authDir: String(account.settings.authDir),
    logger,
    write: (text) => process.stdout.write(text),
    ...(webSocketUrl ? { webSocketUrl } : {}),
  });
  if (!result.linked) {
    process.stdout.write(`Channel login failed: ${result.message}\n`);
    return 1;
  }
  process.stdout.write(`${result.message}\n`);
  try {
    const target = resolveTarget({ timeout: '5000' }, env);
    await callGateway({ ...target, method: 'channels.start', params: { channel: 'whatsapp', accountId }, scopes: ['operator.admin'], clientVersion: SERVER_VERSION });
    process.stdout.write(`Gateway: whatsapp/${accountId} started.\n`);
  } catch (error) {
    // No gateway running (or it refused): it starts the linked account itself at its next start.
    process.stdout.write(`Start the gateway (openclaw gateway) to bring whatsapp/${accountId} online (${error instanceof Error ? error.message : String(error)}).\n`);
  }
  return 0;
}
