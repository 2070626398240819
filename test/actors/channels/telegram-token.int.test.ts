import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DefinitionContext } from '../../../actors/channels/contract.js';
import { telegramChannel } from '../../../actors/channels/telegram/definition.js';
import { createLogger } from '../../../actors/logs/logger.js';
import { SecretsRuntime } from '../../../actors/secrets/runtime.js';
import type { GatewayFileConfig } from '../../../protocol/config.js';
import { secretFiles } from '../../helpers/secret-files.js';

/**
 * How a Telegram account finds its bot token: plaintext, `${NAME}` and SecretRef objects through the
 * real secrets snapshot (env, file and exec providers), `tokenFile` (regular files only), and the
 * official precedence (account tokenFile > account botToken > root tokenFile > root botToken >
 * TELEGRAM_BOT_TOKEN for the default account).
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openclaw-tg-token-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const { privateFile, execResolver } = secretFiles(() => dir);

/** The accounts as the gateway resolves them: refs resolved into a snapshot first, then read through it. */
async function accounts(config: Record<string, unknown>, env: Record<string, string> = {}) {
  const runtime = new SecretsRuntime();
  const prepared = await runtime.prepare(config, env);
  if (!prepared.ok) throw new Error(`${prepared.path}: ${prepared.reason}`);
  prepared.activate();
  const context: DefinitionContext = {
    stateDir: dir, configPath: join(dir, 'openclaw.json'), logger: createLogger({ level: 'silent', write: () => undefined }), env,
    secret: (raw, path) => runtime.value(raw, path),
  };
  return Object.fromEntries(
    telegramChannel.accounts(config as GatewayFileConfig, context).map((a) => {
      const settings = a.settings as { token: string | null; tokenSource: string };
      return [a.accountId, { token: settings.token, source: settings.tokenSource, configured: a.configured }];
    }),
  );
}

describe('Telegram bot token', () => {
  it('resolves botToken SecretRefs (env, file, exec) and ${NAME} through the secrets snapshot', async () => {
    const file = privateFile('tg.json', JSON.stringify({ telegram: { work: '222:FROM-FILE' } }));
    const command = execResolver({ 'telegram/ops': '333:FROM-EXEC' });
    const config = {
      channels: {
        telegram: {
          botToken: { source: 'env', id: 'TG_MAIN_TOKEN' },
          accounts: {
            default: {},
            work: { botToken: { source: 'file', provider: 'tgfile', id: '/telegram/work' } },
            ops: { botToken: { source: 'exec', provider: 'vault', id: 'telegram/ops' } },
            short: { botToken: '${TG_SHORT_TOKEN}' },
          },
        },
      },
      secrets: { providers: { tgfile: { source: 'file', path: file }, vault: { source: 'exec', command } } },
    };
    expect(await accounts(config, { TG_MAIN_TOKEN: '111:FROM-ENV', TG_SHORT_TOKEN: '444:SHORT' })).toEqual({
      default: { token: '111:FROM-ENV', source: 'config', configured: true },
      work: { token: '222:FROM-FILE', source: 'config', configured: true },
      ops: { token: '333:FROM-EXEC', source: 'config', configured: true },
      short: { token: '444:SHORT', source: 'config', configured: true },
    });
  });

  it('a ref the snapshot does not hold leaves the account unconfigured (source none), never the ref as a token', async () => {
    const config = { channels: { telegram: { botToken: { source: 'env', id: 'TG_SET' } } } };
    const runtime = new SecretsRuntime();
    const prepared = await runtime.prepare(config, { TG_SET: '555:SET' });
    if (!prepared.ok) throw new Error(prepared.reason);
    prepared.activate();
    const context: DefinitionContext = {
      stateDir: dir, configPath: join(dir, 'openclaw.json'), logger: createLogger({ level: 'silent', write: () => undefined }), env: {},
      secret: (raw, path) => runtime.value(raw, path),
    };
    const other = { channels: { telegram: { botToken: { source: 'env', id: 'TG_NEVER_RESOLVED' } } } } as GatewayFileConfig;
    const [account] = telegramChannel.accounts(other, context);
    expect(account?.settings).toMatchObject({ token: null, tokenSource: 'none' });
    expect(account?.configured).toBe(false);
  });

  it('precedence: account tokenFile > account botToken > root tokenFile > root botToken > TELEGRAM_BOT_TOKEN (default account only)', async () => {
    const rootFile = privateFile('root-token', '600:ROOT-FILE\n');
    const ownFile = privateFile('own-token', '700:OWN-FILE\n');
    const config = {
      channels: {
        telegram: {
          tokenFile: rootFile,
          botToken: '800:ROOT-PLAIN',
          accounts: { a: { tokenFile: ownFile, botToken: '900:A-PLAIN' }, b: { botToken: '901:B-PLAIN' }, c: {} },
        },
      },
    };
    expect(await accounts(config)).toEqual({
      a: { token: '700:OWN-FILE', source: 'tokenFile', configured: true },
      b: { token: '901:B-PLAIN', source: 'config', configured: true },
      c: { token: '600:ROOT-FILE', source: 'tokenFile', configured: true },
    });
    expect(await accounts({ channels: { telegram: { botToken: '800:ROOT-PLAIN' } } }, { TELEGRAM_BOT_TOKEN: '999:ENV' })).toEqual({
      default: { token: '800:ROOT-PLAIN', source: 'config', configured: true },
    });
    expect(await accounts({ channels: { telegram: { accounts: { default: {}, extra: {} } } } }, { TELEGRAM_BOT_TOKEN: '999:ENV' })).toEqual({
      default: { token: '999:ENV', source: 'env', configured: true },
      extra: { token: null, source: 'none', configured: false },
    });
  });

  it('tokenFile must be a regular file: a symlink or a missing file gives no token', async () => {
    const real = privateFile('real-token', '123:REAL');
    const link = join(dir, 'link-token');
    symlinkSync(real, link);
    expect(await accounts({ channels: { telegram: { tokenFile: link } } })).toEqual({ default: { token: null, source: 'tokenFile', configured: false } });
    expect(await accounts({ channels: { telegram: { tokenFile: join(dir, 'missing') } } })).toEqual({ default: { token: null, source: 'tokenFile', configured: false } });
    expect(await accounts({ channels: { telegram: { tokenFile: real } } })).toEqual({ default: { token: '123:REAL', source: 'tokenFile', configured: true } });
  });
});
