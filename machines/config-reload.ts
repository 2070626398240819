import { assign, fromPromise, setup } from 'xstate';
import type { GatewayFileConfig, ReloadMode } from '../protocol/config.js';
import { diffConfig, planReload, reloadModeOf, restartAllowed, type ConfigRead, type ReloadPlan } from './config-reload-rules.js';

/*
 * Hot reload and in-process restart of one gateway process.
 *
 *   idle ──file.changed──> debouncing ──debounce──> reading ──ok, hot──────> applying ───> idle
 *    │                        ▲  └─file.changed (timer restarts)  ├─ok, restart──> restarting ─> idle
 *    │                        │                                   ├─invalid/missing/unchanged/off ─> idle
 *    └──restart.requested (commands.restart) ──> reading ─────────┘ (restart intent: always restarts)
 *
 * Busy states remember a file change or a restart request and handle it once back in idle.
 * Journal first: the provided actors append `config.reloaded` / `gateway.restart.requested`
 * before they touch the running gateway.
 */

/** The config the gateway runs with, and the hash of the file it came from. */
export interface AppliedConfig {
  readonly config: GatewayFileConfig;
  readonly hash: string;
}

/** Input of the hot-apply effect. */
export interface HotApply extends AppliedConfig {
  readonly mode: ReloadMode;
  readonly plan: ReloadPlan;
}

/** Input of the restart effect. */
export interface RestartRequest extends AppliedConfig {
  readonly source: 'signal' | 'config';
  readonly signal?: string;
  readonly mode: ReloadMode;
  readonly changed: readonly string[];
}

export interface ConfigReloadContext {
  readonly running: AppliedConfig;
  /** Why the file is being read: a reload, or a restart signal (then it restarts whatever it finds). */
  readonly intent: { readonly kind: 'reload' } | { readonly kind: 'restart'; readonly signal: string };
  /** A file change seen while busy. */
  readonly dirty: boolean;
  /** A restart signal seen while busy. */
  readonly queuedRestart: string | null;
  readonly error: unknown;
}

export type ConfigReloadEvent =
  | { type: 'file.changed' }
  | { type: 'restart.requested'; signal: string }
  | { type: 'host.stopping' };

const unprovided = (name: string) => (): never => {
  throw new Error(`config-reload machine: '${name}' was not provided`);
};

type ReadDone = { output: ConfigRead };
const readOf = (event: unknown): ConfigRead => (event as ReadDone).output;
const isRestartIntent = (context: ConfigReloadContext) => context.intent.kind === 'restart';
const planOf = (context: ConfigReloadContext, read: ConfigRead): ReloadPlan | null =>
  read.kind === 'ok' ? planReload(reloadModeOf(read.config), context.running.config, read.config) : null;

/** Decides what a config change or a restart signal does to the running gateway. */
export const configReloadMachine = setup({
  types: {
    context: {} as ConfigReloadContext,
    events: {} as ConfigReloadEvent,
    input: {} as AppliedConfig,
  },
  actions: {
    /** A bad file: one log line, a `config.reload.rejected` fact; the running config stays. */
    reportRejected: unprovided('reportRejected') as (_: unknown, params: { issue: string; hash?: string; restarting: boolean }) => void,
    /** A change that applies nothing now (mode off/hot, or keys this gateway ignores). */
    recordUnapplied: unprovided('recordUnapplied') as (_: unknown, params: { hash: string; mode: ReloadMode; plan: ReloadPlan }) => void,
    /** A restart signal while `commands.restart` is false. */
    refuseRestart: unprovided('refuseRestart') as (_: unknown, params: { signal: string }) => void,
  },
  actors: {
    readConfig: fromPromise<ConfigRead>(unprovided('readConfig')),
    hotApply: fromPromise<AppliedConfig, HotApply>(unprovided('hotApply')),
    restartGateway: fromPromise<AppliedConfig, RestartRequest>(unprovided('restartGateway')),
  },
  guards: {
    mayRestart: ({ context }) => restartAllowed(context.running.config),
    isRestartWithConfig: ({ context, event }) => isRestartIntent(context) && readOf(event).kind === 'ok',
    isRestart: ({ context }) => isRestartIntent(context),
    isInvalid: ({ event }) => readOf(event).kind === 'invalid',
    isMissing: ({ event }) => readOf(event).kind === 'missing',
    isUnchanged: ({ context, event }) => {
      const read = readOf(event);
      return read.kind === 'ok' && (read.hash === context.running.hash || diffConfig(context.running.config, read.config).length === 0);
    },
    needsRestart: ({ context, event }) => planOf(context, readOf(event))?.action === 'restart',
    canApplyHot: ({ context, event }) => planOf(context, readOf(event))?.action === 'hot',
    hasQueuedRestart: ({ context }) => context.queuedRestart !== null,
    isDirty: ({ context }) => context.dirty,
  },
  delays: {
    /** `gateway.reload.debounceMs` (default 300): editors write a file in several steps. */
    debounce: ({ context }) => context.running.config.gateway?.reload?.debounceMs ?? 300,
  },
}).createMachine({
  id: 'configReload',
  context: ({ input }) => ({ running: input, intent: { kind: 'reload' }, dirty: false, queuedRestart: null, error: null }),
  initial: 'idle',
  on: {
    'host.stopping': '.stopped',
  },
  states: {
    idle: {
      description: 'Watching the config file; the running config is applied.',
      always: [
        { guard: 'hasQueuedRestart', target: 'reading', actions: assign({ intent: ({ context }) => ({ kind: 'restart' as const, signal: context.queuedRestart ?? 'unknown' }), queuedRestart: null, dirty: false }) },
        { guard: 'isDirty', target: 'debouncing', actions: assign({ dirty: false }) },
      ],
      on: {
        'file.changed': 'debouncing',
        'restart.requested': [
          { guard: 'mayRestart', target: 'reading', actions: assign({ intent: ({ event }) => ({ kind: 'restart' as const, signal: event.signal }) }) },
          { actions: { type: 'refuseRestart', params: ({ event }) => ({ signal: event.signal }) } },
        ],
      },
    },
    debouncing: {
      description: 'A change was seen; waiting for the file to settle.',
      entry: assign({ intent: { kind: 'reload' } }),
      after: { debounce: 'reading' },
      on: {
        'file.changed': { target: 'debouncing', reenter: true },
        'restart.requested': [
          { guard: 'mayRestart', target: 'reading', actions: assign({ intent: ({ event }) => ({ kind: 'restart' as const, signal: event.signal }) }) },
          { actions: { type: 'refuseRestart', params: ({ event }) => ({ signal: event.signal }) } },
        ],
      },
    },
    reading: {
      description: 'Reading and validating the config file.',
      on: {
        'file.changed': { actions: assign({ dirty: true }) },
        'restart.requested': { actions: assign({ queuedRestart: ({ event }) => event.signal }) },
      },
      invoke: {
        id: 'readConfig',
        src: 'readConfig',
        onDone: [
          { guard: 'isRestartWithConfig', target: 'restarting' },
          {
            guard: 'isRestart',
            target: 'restarting',
            actions: {
              type: 'reportRejected',
              params: ({ event }) => {
                const read = readOf(event);
                return read.kind === 'invalid' ? { issue: read.issue, hash: read.hash, restarting: true } : { issue: 'config file is missing', restarting: true };
              },
            },
          },
          { guard: 'isInvalid', target: 'idle', actions: { type: 'reportRejected', params: ({ event }) => {
            const read = readOf(event);
            return read.kind === 'invalid' ? { issue: read.issue, hash: read.hash, restarting: false } : { issue: 'invalid config', restarting: false };
          } } },
          { guard: 'isMissing', target: 'idle', actions: { type: 'reportRejected', params: { issue: 'config file is missing', restarting: false } } },
          { guard: 'isUnchanged', target: 'idle' },
          { guard: 'needsRestart', target: 'restarting' },
          { guard: 'canApplyHot', target: 'applying' },
          {
            target: 'idle',
            actions: [
              {
                type: 'recordUnapplied',
                params: ({ context, event }) => {
                  const read = readOf(event) as Extract<ConfigRead, { kind: 'ok' }>;
                  return { hash: read.hash, mode: reloadModeOf(read.config), plan: planReload(reloadModeOf(read.config), context.running.config, read.config) };
                },
              },
              // Nothing deferred (only keys that change nothing here): the new file is what runs now.
              assign({
                running: ({ context, event }) => {
                  const read = readOf(event) as Extract<ConfigRead, { kind: 'ok' }>;
                  const plan = planReload(reloadModeOf(read.config), context.running.config, read.config);
                  return plan.pending.length === 0 ? { config: read.config, hash: read.hash } : context.running;
                },
              }),
            ],
          },
        ],
        onError: { target: 'idle', actions: { type: 'reportRejected', params: ({ event }) => ({ issue: String((event.error as Error)?.message ?? event.error), restarting: false }) } },
      },
    },
    applying: {
      description: 'Journaling `config.reloaded`, then applying the hot changes to the running gateway.',
      on: {
        'file.changed': { actions: assign({ dirty: true }) },
        'restart.requested': { actions: assign({ queuedRestart: ({ event }) => event.signal }) },
      },
      invoke: {
        id: 'hotApply',
        src: 'hotApply',
        input: ({ context, event }) => {
          const read = readOf(event) as Extract<ConfigRead, { kind: 'ok' }>;
          const mode = reloadModeOf(read.config);
          return { config: read.config, hash: read.hash, mode, plan: planReload(mode, context.running.config, read.config) };
        },
        onDone: { target: 'idle', actions: assign({ running: ({ event }) => event.output }) },
        onError: { target: 'idle', actions: { type: 'reportRejected', params: ({ event }) => ({ issue: String((event.error as Error)?.message ?? event.error), restarting: false }) } },
      },
    },
    restarting: {
      description: 'Journaling `gateway.restart.requested`, announcing shutdown, stopping and starting the gateway in process.',
      on: {
        'file.changed': { actions: assign({ dirty: true }) },
        'restart.requested': {},
      },
      invoke: {
        id: 'restartGateway',
        src: 'restartGateway',
        input: ({ context, event }) => {
          const read = readOf(event);
          const next: AppliedConfig = read.kind === 'ok' ? { config: read.config, hash: read.hash } : context.running;
          const base = { ...next, mode: reloadModeOf(next.config), changed: diffConfig(context.running.config, next.config) };
          return context.intent.kind === 'restart' ? { ...base, source: 'signal' as const, signal: context.intent.signal } : { ...base, source: 'config' as const };
        },
        onDone: { target: 'idle', actions: assign({ running: ({ event }) => event.output, intent: { kind: 'reload' } }) },
        onError: { target: 'failed', actions: assign({ error: ({ event }) => event.error }) },
      },
    },
    stopped: { type: 'final', description: 'The process is stopping; config changes no longer matter.' },
    failed: { type: 'final', description: 'A restart could not bring the gateway back; the error is in context.' },
  },
});
