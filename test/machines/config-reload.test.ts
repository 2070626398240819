import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, initialTransition, SimulatedClock, transition, type AnyEventObject } from 'xstate';
import { configReloadMachine, type AppliedConfig } from '../../machines/config-reload.js';
import { changeKind, diffConfig, planReload, type ConfigRead } from '../../machines/config-reload-rules.js';
import type { GatewayFileConfig } from '../../protocol/config.js';

const base: GatewayFileConfig = { gateway: { mode: 'local', port: 18789, auth: { mode: 'token', token: 'old-token' } } };
const running: AppliedConfig = { config: base, hash: 'h0' };
const withConfig = (patch: (c: GatewayFileConfig) => void, hash = 'h1'): ConfigRead => {
  const config = structuredClone(base);
  patch(config);
  return { kind: 'ok', config, hash };
};
const readDone = (output: ConfigRead): AnyEventObject => ({ type: 'xstate.done.actor.readConfig', output });

/** Starts the machine with `input`, walks it to `reading` (as the debounce would) and feeds it `read`. */
function afterRead(read: ConfigRead, input: AppliedConfig = running, intent?: AnyEventObject) {
  const [s0] = initialTransition(configReloadMachine, input);
  const [s1] = transition(configReloadMachine, s0, intent ?? { type: 'file.changed' });
  const [s2] = intent ? [s1] : transition(configReloadMachine, s1, { type: 'xstate.after.debounce.configReload.debouncing' });
  expect(s2.value).toBe('reading');
  return transition(configReloadMachine, s2, readDone(read));
}

const params = (actions: ReadonlyArray<{ type: string; params?: unknown }>, type: string) => actions.find((a) => a.type === type)?.params;
const invoked = (actions: ReadonlyArray<{ type: string; params?: unknown }>, id: string) =>
  (actions.find((a) => a.type === 'xstate.spawnChild' && (a.params as { id?: string } | undefined)?.id === id)?.params as { input?: unknown } | undefined)?.input;

describe('config reload rules', () => {
  it('lists changed leaves as dotted paths', () => {
    const after = withConfig((c) => {
      c.gateway!.port = 19001;
      c.logging = { level: 'debug' };
    });
    expect(diffConfig(base, after.kind === 'ok' ? after.config : {})).toEqual(['gateway.port', 'logging']);
  });

  it('classifies auth, logging, reload settings, commands and channels as hot; port, bind, canvas and unknown keys as restart', () => {
    expect(['gateway.auth.token', 'logging.level', 'gateway.reload.mode', 'commands.restart', 'channels.telegram'].map(changeKind)).toEqual(['hot', 'hot', 'hot', 'hot', 'hot']);
    expect(['gateway.port', 'gateway.bind', 'canvasHost.port', 'gateway.http.endpoints.responses.enabled', 'plugins.entries'].map(changeKind)).toEqual(
      ['restart', 'restart', 'restart', 'restart', 'restart'],
    );
    expect(changeKind('gateway.mode')).toBe('none');
  });

  it('plans per mode: off applies nothing, hot defers restarts, restart restarts on anything, hybrid picks', () => {
    const both = withConfig((c) => {
      c.gateway!.port = 1;
      c.gateway!.auth!.token = 'new';
    });
    const after = both.kind === 'ok' ? both.config : {};
    expect(planReload('off', base, after)).toEqual({ action: 'none', changed: ['gateway.auth.token', 'gateway.port'], pending: ['gateway.auth.token', 'gateway.port'] });
    expect(planReload('hot', base, after)).toEqual({ action: 'hot', changed: ['gateway.auth.token', 'gateway.port'], pending: ['gateway.port'] });
    expect(planReload('restart', base, after).action).toBe('restart');
    expect(planReload('hybrid', base, after).action).toBe('restart');
    const tokenOnly = withConfig((c) => (c.gateway!.auth!.token = 'new'));
    expect(planReload('restart', base, tokenOnly.kind === 'ok' ? tokenOnly.config : {}).action).toBe('restart');
    expect(planReload('hybrid', base, tokenOnly.kind === 'ok' ? tokenOnly.config : {})).toEqual({ action: 'hot', changed: ['gateway.auth.token'], pending: [] });
  });
});

describe('config reload machine', () => {
  it('debounces file changes before reading', () => {
    const [s0] = initialTransition(configReloadMachine, running);
    const [s1] = transition(configReloadMachine, s0, { type: 'file.changed' });
    expect(s1.value).toBe('debouncing');
    const [s2] = transition(configReloadMachine, s1, { type: 'file.changed' });
    expect(s2.value).toBe('debouncing');
    const [s3, actions] = transition(configReloadMachine, s2, { type: 'xstate.after.debounce.configReload.debouncing' });
    expect(s3.value).toBe('reading');
    expect(invoked(actions, 'readConfig')).toBeUndefined();
    expect(actions.some((a) => a.type === 'xstate.spawnChild')).toBe(true);
  });

  it('applies a token change hot (hybrid)', () => {
    const [state, actions] = afterRead(withConfig((c) => (c.gateway!.auth!.token = 'new-token')));
    expect(state.value).toBe('applying');
    expect(invoked(actions, 'hotApply')).toMatchObject({ hash: 'h1', mode: 'hybrid', plan: { action: 'hot', changed: ['gateway.auth.token'], pending: [] } });
  });

  it('restarts for a port change (hybrid)', () => {
    const [state, actions] = afterRead(withConfig((c) => (c.gateway!.port = 19001)));
    expect(state.value).toBe('restarting');
    expect(invoked(actions, 'restartGateway')).toMatchObject({ source: 'config', changed: ['gateway.port'], hash: 'h1' });
  });

  it('refuses a broken file with one report and keeps the running config', () => {
    const [state, actions] = afterRead({ kind: 'invalid', issue: 'gateway.port: expected integer 0–65535, got "abc"', hash: 'hx' });
    expect(state.value).toBe('idle');
    expect(state.context.running).toBe(running);
    expect(actions.filter((a) => a.type === 'reportRejected')).toEqual([
      expect.objectContaining({ params: { issue: 'gateway.port: expected integer 0–65535, got "abc"', hash: 'hx', restarting: false } }),
    ]);
  });

  it('does nothing when the file is unchanged', () => {
    const [state, actions] = afterRead({ kind: 'ok', config: base, hash: 'h0' });
    expect(state.value).toBe('idle');
    expect(actions.filter((a) => !a.type.startsWith('xstate.'))).toEqual([]);
  });

  it('records but does not apply changes under mode off', () => {
    const [state, actions] = afterRead(withConfig((c) => {
      c.gateway!.reload = { mode: 'off' };
      c.gateway!.port = 1;
    }));
    expect(state.value).toBe('idle');
    expect(params(actions, 'recordUnapplied')).toMatchObject({ mode: 'off', plan: { action: 'none', pending: ['gateway.reload', 'gateway.port'] } });
  });

  it('takes in a change of keys that need nothing (gateway.mode) as running, so it is not reported again', () => {
    const read = withConfig((c) => (c.gateway!.mode = 'remote'));
    const [state, actions] = afterRead(read);
    expect(state.value).toBe('idle');
    expect(params(actions, 'recordUnapplied')).toMatchObject({ plan: { action: 'none', changed: ['gateway.mode'], pending: [] } });
    expect(state.context.running).toEqual({ config: read.kind === 'ok' ? read.config : {}, hash: 'h1' });
  });

  it('keeps the running config while changes are deferred (mode off)', () => {
    const [state] = afterRead(withConfig((c) => {
      c.gateway!.reload = { mode: 'off' };
      c.gateway!.port = 1;
    }));
    expect(state.context.running).toBe(running);
  });

  it('defers restart-only changes under mode hot', () => {
    const [state, actions] = afterRead(withConfig((c) => {
      c.gateway!.reload = { mode: 'hot' };
      c.gateway!.port = 1;
    }));
    expect(state.value).toBe('applying');
    expect(invoked(actions, 'hotApply')).toMatchObject({ mode: 'hot', plan: { action: 'hot', pending: ['gateway.port'] } });
  });

  it('restarts even for a hot-safe change under mode restart', () => {
    const start: AppliedConfig = { config: { ...base, gateway: { ...base.gateway, reload: { mode: 'restart' } } }, hash: 'h0' };
    const read: ConfigRead = { kind: 'ok', config: { ...start.config, logging: { level: 'debug' } }, hash: 'h1' };
    const [state] = afterRead(read, start);
    expect(state.value).toBe('restarting');
  });

  it('restarts on a signal when commands.restart allows, with the file it reads', () => {
    const [state, actions] = afterRead(withConfig((c) => (c.gateway!.port = 2)), running, { type: 'restart.requested', signal: 'SIGUSR1' });
    expect(state.value).toBe('restarting');
    expect(invoked(actions, 'restartGateway')).toMatchObject({ source: 'signal', signal: 'SIGUSR1', changed: ['gateway.port'] });
  });

  it('restarts on a signal with the running config when the file is broken', () => {
    const [state, actions] = afterRead({ kind: 'invalid', issue: 'bad', hash: 'hx' }, running, { type: 'restart.requested', signal: 'SIGUSR2' });
    expect(state.value).toBe('restarting');
    expect(params(actions, 'reportRejected')).toEqual({ issue: 'bad', hash: 'hx', restarting: true });
    expect(invoked(actions, 'restartGateway')).toMatchObject({ source: 'signal', signal: 'SIGUSR2', config: base, hash: 'h0', changed: [] });
  });

  it('ignores restart signals when commands.restart is false', () => {
    const [s0] = initialTransition(configReloadMachine, { config: { ...base, commands: { restart: false } }, hash: 'h0' });
    const [s1, actions] = transition(configReloadMachine, s0, { type: 'restart.requested', signal: 'SIGUSR1' });
    expect(s1.value).toBe('idle');
    expect(params(actions, 'refuseRestart')).toEqual({ signal: 'SIGUSR1' });
  });

  it('takes the applied config as running and handles a change seen while busy', () => {
    const next = withConfig((c) => (c.gateway!.auth!.token = 'new-token'));
    const [applying] = afterRead(next);
    const [stillApplying] = transition(configReloadMachine, applying, { type: 'file.changed' });
    expect(stillApplying.context.dirty).toBe(true);
    const applied = next.kind === 'ok' ? { config: next.config, hash: next.hash } : running;
    const [after] = transition(configReloadMachine, stillApplying, { type: 'xstate.done.actor.hotApply', output: applied });
    expect(after.value).toBe('debouncing');
    expect(after.context.running).toEqual(applied);
  });

  it('keeps the running config when the hot apply fails (e.g. auth mode without a secret)', () => {
    const [applying] = afterRead(withConfig((c) => (c.gateway!.auth = { mode: 'password' })));
    const [state, actions] = transition(configReloadMachine, applying, { type: 'xstate.error.actor.hotApply', error: new Error('no gateway password configured') });
    expect(state.value).toBe('idle');
    expect(state.context.running).toBe(running);
    expect(params(actions, 'reportRejected')).toEqual({ issue: 'no gateway password configured', restarting: false });
  });

  it('fails (final) when a restart cannot bring the gateway back', () => {
    const [restarting] = afterRead(withConfig((c) => (c.gateway!.port = 2)));
    const [state] = transition(configReloadMachine, restarting, { type: 'xstate.error.actor.restartGateway', error: new Error('EADDRINUSE') });
    expect(state.value).toBe('failed');
    expect(state.status).toBe('done');
  });

  it('waits gateway.reload.debounceMs on a simulated clock', async () => {
    const clock = new SimulatedClock();
    const reads: number[] = [];
    const actor = createActor(
      configReloadMachine.provide({
        actors: { readConfig: fromPromise(async () => { reads.push(clock.now()); return { kind: 'ok', config: base, hash: 'h0' } as ConfigRead; }) },
      }),
      { input: { config: { ...base, gateway: { ...base.gateway, reload: { debounceMs: 500 } } }, hash: 'h0' }, clock },
    );
    actor.start();
    actor.send({ type: 'file.changed' });
    clock.increment(400);
    actor.send({ type: 'file.changed' });
    clock.increment(400);
    expect(reads).toEqual([]);
    clock.increment(100);
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toEqual([900]);
    actor.stop();
  });
});
