import type { Fact } from '../../protocol/facts.js';
import type { SecretsTrigger } from '../../protocol/secrets.js';
import type { SecretsReloadResult } from '../../protocol/methods/secrets.js';
import { MethodError } from '../gateway/methods/context.js';
import type { GatewayModuleFactory } from '../gateway/module.js';
import type { Logger } from '../logs/logger.js';
import type { SecretsRuntime } from './runtime.js';

/** Methods the secrets module answers. */
export const SECRETS_METHODS = ['secrets.reload'] as const;

/** A reload that could not resolve one ref: the key path and why (never a value). */
export class SecretsReloadError extends Error {
  constructor(readonly path: string, readonly reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'SecretsReloadError';
  }
}

/** What re-resolving needs: the runtime, the environment, and where its facts are journaled. */
export interface SecretsReloaderOptions {
  readonly runtime: SecretsRuntime;
  readonly env: NodeJS.ProcessEnv;
  /** Appends facts to the journal's `system` stream; resolves once committed. */
  readonly record: (facts: Fact[]) => Promise<void>;
  readonly logger: Logger;
}

/** Re-resolves every ref of a config and swaps the snapshot; throws SecretsReloadError on a failure. */
export type SecretsReloader = (config: unknown, trigger: SecretsTrigger) => Promise<{ refs: number; changed: string[] }>;

/**
 * Journal first: `secrets.reloaded {trigger, refs, changed}` is committed before the new snapshot
 * is activated; a failure journals `secrets.reload.failed {trigger, path, reason}` and changes nothing.
 */
export function createSecretsReloader(options: SecretsReloaderOptions): SecretsReloader {
  return async (config, trigger) => {
    const prepared = await options.runtime.prepare(config, options.env);
    if (!prepared.ok) {
      options.logger.warn(`secrets ${trigger} failed: ${prepared.path}: ${prepared.reason}; keeping the previous secrets`);
      await options.record([{ type: 'secrets.reload.failed', data: { trigger, path: prepared.path, reason: prepared.reason } }]);
      throw new SecretsReloadError(prepared.path, prepared.reason);
    }
    await options.record([{ type: 'secrets.reloaded', data: { trigger, refs: prepared.refs, changed: prepared.changed } }]);
    prepared.activate();
    if (trigger !== 'start') {
      const what = prepared.changed.length > 0 ? `changed: ${prepared.changed.join(', ')}` : 'nothing changed';
      options.logger.info(`secrets reloaded (${prepared.refs} refs; ${what})`);
    }
    return { refs: prepared.refs, changed: prepared.changed };
  };
}

/** How the `secrets.reload` method reaches the process: re-resolve the applied config, then apply. */
export interface SecretsModuleOptions {
  /** Re-resolves the config the gateway runs now and applies the new values (auth, providers). */
  readonly reload: () => Promise<unknown>;
}

/** `secrets.reload` (operator.admin): re-resolve every SecretRef without a restart. */
export function secretsModule(options: SecretsModuleOptions): GatewayModuleFactory {
  return () => ({
    name: 'secrets',
    methods: {
      'secrets.reload': async (): Promise<SecretsReloadResult> => {
        try {
          await options.reload();
        } catch (error) {
          if (error instanceof SecretsReloadError) {
            throw new MethodError('SECRETS_RELOAD_FAILED', `secrets.reload failed: ${error.path}: ${error.reason}`, {
              code: 'SECRETS_RELOAD_FAILED',
              path: error.path,
            });
          }
          throw error;
        }
        return { ok: true, warningCount: 0 };
      },
    },
  });
}
