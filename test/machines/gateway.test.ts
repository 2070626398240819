import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, fromPromise, toPromise } from 'xstate';
import { gatewayMachine, type StopRequest } from '../../machines/gateway.js';

function harness(options: { startFails?: boolean } = {}) {
  const calls: string[] = [];
  const drained: StopRequest[] = [];
  let releaseStart: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (releaseStart = resolve));
  const actor = createActor(
    gatewayMachine.provide({
      actors: {
        startServices: fromPromise(async () => {
          calls.push('start');
          await started;
          if (options.startFails) throw new Error('port in use');
        }),
        ticker: fromCallback(() => {
          calls.push('ticker up');
          return () => calls.push('ticker down');
        }),
        healthMonitor: fromCallback(() => {
          calls.push('health up');
          return () => calls.push('health down');
        }),
        drain: fromPromise<void, StopRequest>(async ({ input }) => {
          drained.push(input);
        }),
      },
    }),
  );
  return { actor, calls, drained, releaseStart };
}

describe('gateway supervisor machine', () => {
  it('runs the ticker and health monitor only while running', async () => {
    const { actor, calls, releaseStart } = harness();
    actor.start();
    expect(actor.getSnapshot().value).toBe('starting');
    releaseStart();
    await new Promise((resolve) => setImmediate(resolve));
    expect(actor.getSnapshot().value).toBe('running');
    expect(calls).toEqual(['start', 'ticker up', 'health up']);
    actor.send({ type: 'stop.requested', reason: 'gateway stopping' });
    await toPromise(actor);
    expect(actor.getSnapshot().value).toBe('stopped');
    expect(calls).toEqual(['start', 'ticker up', 'health up', 'ticker down', 'health down']);
  });

  it('passes the stop reason and restart hint to the drain', async () => {
    const { actor, drained, releaseStart } = harness();
    actor.start();
    releaseStart();
    await new Promise((resolve) => setImmediate(resolve));
    actor.send({ type: 'stop.requested', reason: 'gateway restarting', restartExpectedMs: 1500 });
    await toPromise(actor);
    expect(drained).toEqual([{ reason: 'gateway restarting', restartExpectedMs: 1500 }]);
  });

  it('drains right after start when a stop arrived while starting', async () => {
    const { actor, drained, releaseStart } = harness();
    actor.start();
    actor.send({ type: 'stop.requested', reason: 'gateway stopping' });
    releaseStart();
    await toPromise(actor);
    expect(actor.getSnapshot().value).toBe('stopped');
    expect(drained).toEqual([{ reason: 'gateway stopping', restartExpectedMs: undefined }]);
  });

  it('ends in failed with the error when start-up fails', async () => {
    const { actor, releaseStart } = harness({ startFails: true });
    actor.start();
    releaseStart();
    await toPromise(actor);
    expect(actor.getSnapshot().value).toBe('failed');
    expect((actor.getSnapshot().context.error as Error).message).toBe('port in use');
  });
});
