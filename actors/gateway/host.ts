import { createActor, fromPromise, toPromise } from 'xstate';
import { configReloadMachine, type AppliedConfig, type HotApply, type RestartRequest } from '../../machines/config-reload.js';
import type { ConfigRead } from '../../machines/config-reload-rules.js';
import type { StopRequest } from '../../machines/gateway.js';
import type { GatewayFileConfig } from '../../protocol/config.js';
import type { Fact } from '../../protocol/facts.js';
import { readConfigFile } from '../config/file.js';
import { watchConfigFile } from '../config/watcher.js';
import { startGateway, type GatewayConfig, type RunningGateway } from './system.js';
import { subsystemLogger, type Logger } from '../logs/logger.js';

/*
 * One gateway process across in-process restarts: the running gateway, the config watcher and the
 * reload machine that decides what a change or a restart signal does.
 *
 *   restart:  journal gateway.restart.requested ─> stop {reason:"gateway restarting", restartExpectedMs}
 *             (shutdown event, close 1012, journal closed) ─> start a new gateway on the same journal
 */

/** What the host needs from bin/. */
export interface GatewayHostOptions {
  readonly configPath: string;
  /** The config the first gateway starts with. */
  readonly initial: AppliedConfig;
  /** Builds a gateway config from a file config (flags and env folded in). Throws when it cannot run. */
  readonly resolve: (config: GatewayFileConfig) => GatewayConfig;
  /** Runs before a changed config is resolved (re-resolving its SecretRefs); throwing refuses the change. */
  readonly prepare?: (config: GatewayFileConfig) => Promise<unknown>;
  /** Called whenever a config takes effect (start, hot apply, restart): logging settings and the like. */
  readonly onApplied?: (config: GatewayFileConfig, resolved: GatewayConfig) => void;
  readonly logger: Logger;
  /** `shutdown.restartExpectedMs` announced before an in-process restart. */
  readonly restartExpectedMs: number;
  /** Watch the config file (default true). */
  readonly watch?: boolean;
}

/** A gateway process that can hot-reload and restart in place. */
export interface GatewayHost {
  /** The gateway running now (a new object after each restart). */
  current(): RunningGateway;
  /** A restart signal (SIGUSR1/SIGUSR2): restarts in process if `commands.restart` allows. */
  requestRestart(signal: string): void;
  /** Stops watching and stops the gateway (after a restart in flight has finished). */
  stop(request: StopRequest): Promise<void>;
  /** Settles when a restart failed to bring the gateway back; the process should then exit non-zero. */
  readonly failed: Promise<unknown>;
}

/** Starts the first gateway, then watches the config and handles restarts. */
export async function startGatewayHost(options: GatewayHostOptions): Promise<GatewayHost> {
  const logger = subsystemLogger(options.logger, 'reload');
  const first = options.resolve(options.initial.config);
  let gateway = await startGateway(first);
  options.onApplied?.(options.initial.config, first);
  let inflight: Promise<unknown> = Promise.resolve();
  /** The config the running gateway was started from (what a failed restart falls back to). */
  let applied: AppliedConfig = options.initial;

  const record = (facts: Fact[]) =>
    gateway.recordSystem(facts).catch((error: unknown) => logger.error('could not journal a reload fact', { error: String(error) }));

  const hotApply = async (input: HotApply): Promise<AppliedConfig> => {
    await options.prepare?.(input.config);
    const next = options.resolve(input.config); // a config that cannot run is refused before anything changes
    const before = options.resolve(applied.config).auth;
    if (input.plan.changed.some((path) => path.startsWith('gateway.auth')) && before.mode === next.auth.mode && before.secret === next.auth.secret && JSON.stringify(before.trustedProxy) === JSON.stringify(next.auth.trustedProxy)) {
      // A --token/--password flag or OPENCLAW_GATEWAY_TOKEN/PASSWORD outranks the file: say so, not "applied".
      logger.warn('gateway.auth changed in the config, but a flag or environment variable sets the secret: the running secret is unchanged');
    }
    await gateway.recordSystem([{ type: 'config.reloaded', data: { hash: input.hash, mode: input.mode, action: 'hot', changed: [...input.plan.changed], ...(input.plan.pending.length ? { pending: [...input.plan.pending] } : {}) } }]);
    await gateway.reconfigure({ auth: next.auth, config: input.config });
    options.onApplied?.(input.config, next);
    applied = { config: input.config, hash: input.hash };
    const pending = input.plan.pending.length ? `; restart needed for ${input.plan.pending.join(', ')}` : '';
    logger.info(`config reloaded (hot): ${input.plan.changed.join(', ')}${pending}`, { mode: input.mode });
    return applied;
  };

  const restart = async (input: RestartRequest): Promise<AppliedConfig> => {
    if (input.source === 'config' && options.prepare) {
      try {
        await options.prepare(input.config);
      } catch (error) {
        // Secrets that do not resolve refuse the change; the running gateway stays as it is.
        const issue = describe(error);
        logger.error(`config reload refused: ${options.configPath}: ${issue}; keeping the running config`);
        void record([{ type: 'config.reload.rejected', data: { hash: input.hash, issue } }]);
        return applied;
      }
    }
    const next = options.resolve(input.config);
    const restartExpectedMs = options.restartExpectedMs;
    const reason = input.source === 'signal' ? `${input.signal ?? 'signal'}` : `config change (${input.changed.join(', ')})`;
    const facts: Fact[] = [];
    if (input.source === 'config') facts.push({ type: 'config.reloaded', data: { hash: input.hash, mode: input.mode, action: 'restart', changed: [...input.changed] } });
    facts.push({
      type: 'gateway.restart.requested',
      data: { reason, source: input.source, ...(input.signal ? { signal: input.signal } : {}), ...(input.changed.length ? { changed: [...input.changed] } : {}), restartExpectedMs },
    });
    await gateway.recordSystem(facts);
    logger.info(`restarting in process: ${reason}`, { restartExpectedMs });
    await gateway.stop({ reason: 'gateway restarting', restartExpectedMs });
    try {
      gateway = await startGateway(next);
    } catch (error) {
      // The new config cannot serve (say its port is taken): come back on the one that could.
      // If that fails too, the machine fails and the process exits for its supervisor.
      const issue = `restart failed: ${describe(error)}`;
      logger.error(`${issue}; starting again with the previous config`);
      const previous = options.resolve(applied.config);
      gateway = await startGateway(previous);
      options.onApplied?.(applied.config, previous);
      void record([{ type: 'config.reload.rejected', data: { hash: input.hash, issue } }]);
      return applied;
    }
    options.onApplied?.(input.config, next);
    applied = { config: input.config, hash: input.hash };
    return applied;
  };

  const machine = createActor(
    configReloadMachine.provide({
      actions: {
        reportRejected: (_, params) => {
          const then = params.restarting ? 'restarting with the running config' : 'keeping the running config';
          logger.error(`config reload refused: ${options.configPath}: ${params.issue}; ${then}`);
          void record([{ type: 'config.reload.rejected', data: { issue: params.issue, ...(params.hash ? { hash: params.hash } : {}) } }]);
        },
        recordUnapplied: (_, params) => {
          const { plan } = params;
          if (plan.pending.length > 0) {
            logger.warn(`config changed (${plan.pending.join(', ')}); reload mode ${params.mode}: not applied until the next restart`);
          } else logger.info(`config changed (${plan.changed.join(', ')}); nothing to apply`);
          void record([{ type: 'config.reloaded', data: { hash: params.hash, mode: params.mode, action: 'none', changed: [...plan.changed], ...(plan.pending.length ? { pending: [...plan.pending] } : {}) } }]);
        },
        refuseRestart: (_, params) => {
          logger.warn(`${params.signal} ignored: commands.restart is false`);
          void record([{ type: 'gateway.restart.refused', data: { signal: params.signal, reason: 'commands.restart is false' } }]);
        },
      },
      actors: {
        readConfig: fromPromise<ConfigRead>(async () => readConfigFile(options.configPath)),
        hotApply: fromPromise<AppliedConfig, HotApply>(({ input }) => track(hotApply(input))),
        restartGateway: fromPromise<AppliedConfig, RestartRequest>(({ input }) => track(restart(input))),
      },
    }),
    { input: options.initial },
  );
  const track = <T>(work: Promise<T>): Promise<T> => {
    inflight = work.catch(() => undefined);
    return work;
  };
  const finished = toPromise(machine);
  const failed = new Promise<unknown>((resolve) => {
    machine.subscribe((snapshot) => {
      if (snapshot.value === 'failed') resolve(snapshot.context.error);
    });
  });
  machine.start();
  const unwatch =
    options.watch === false
      ? () => undefined
      : watchConfigFile(options.configPath, () => machine.send({ type: 'file.changed' }), (error) => logger.warn(`config watch failed: ${error.message}`));

  return {
    current: () => gateway,
    requestRestart: (signal) => machine.send({ type: 'restart.requested', signal }),
    failed,
    async stop(request) {
      unwatch();
      await inflight;
      machine.send({ type: 'host.stopping' });
      await finished;
      await gateway.stop(request);
    },
  };
}

function describe(error: unknown): string {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.cause?.code ?? err.code;
  return code ? `${code} (${err.cause?.message ?? err.message})` : (err.message ?? String(error));
}
