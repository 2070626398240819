/** The shared strict-args check of bin/ (issue 12, "What a new user hits" 2). */
import { describe, expect, it } from 'vitest';
import { defineCommand } from 'citty';
import { checkArgs, resolveValue } from '../../bin/strict-args.js';
import { gatewayCommand } from '../../bin/gateway.js';
import { agentCommand } from '../../bin/agent.js';
import { logsCommand } from '../../bin/logs.js';
import { setupCommand } from '../../bin/setup.js';
import { doctorCommand } from '../../bin/doctor.js';
import { statusSummaryCommand } from '../../bin/status.js';
import { healthCommand } from '../../bin/gateway-health.js';

const root = defineCommand({
  meta: { name: 'openclaw' },
  subCommands: { gateway: gatewayCommand, agent: agentCommand, setup: setupCommand, logs: logsCommand, doctor: doctorCommand, status: statusSummaryCommand, health: healthCommand },
});

/** Every runnable command path of the tree (loading lazy subcommands as citty does). */
async function leaves(command: { subCommands?: unknown }, path: string[] = []): Promise<string[][]> {
  const subs = Object.entries(((await resolveValue(command.subCommands)) ?? {}) as Record<string, unknown>);
  if (subs.length === 0) return [path];
  const nested = await Promise.all(subs.map(async ([name, sub]) => leaves((await resolveValue(sub)) as { subCommands?: unknown }, [...path, name])));
  return nested.flat();
}

describe('strict args', () => {
  it('every command refuses an unknown flag, naming it', async () => {
    const paths = await leaves(root);
    expect(paths.length).toBeGreaterThan(15);
    for (const path of paths) {
      const positional = path.join(' ') === 'gateway call' ? ['health'] : [];
      expect((await checkArgs(root, [...path, ...positional, '--bogus-flag']))?.message, path.join(' ')).toMatch(/^unknown flag --bogus-flag for `openclaw /);
    }
  });

  it('accepts defined flags in every citty spelling', async () => {
    expect(await checkArgs(root, ['gateway', 'run', '--port', '1', '--allow-unconfigured', '--token=t'])).toBeUndefined();
    expect(await checkArgs(root, ['gateway', 'status', '--no-probe', '--json'])).toBeUndefined();
    expect(await checkArgs(root, ['gateway', 'call', 'health', '--params', '{}', '--expect-final'])).toBeUndefined();
    expect(await checkArgs(root, ['agent', '-m', 'hi', '--json'])).toBeUndefined();
    expect(await checkArgs(root, ['gateway', 'journal', 'tail', '--limit', '5', '--help'])).toBeUndefined();
  });

  it('refuses a missing value, an unknown short flag and a surplus positional', async () => {
    expect((await checkArgs(root, ['gateway', 'run', '--port']))?.message).toBe('flag --port of `openclaw gateway run` needs a value');
    expect((await checkArgs(root, ['agent', '-x']))?.message).toMatch(/^unknown flag -x for `openclaw agent`/);
    expect((await checkArgs(root, ['gateway', 'call', 'health', 'status']))?.message).toMatch(/^unexpected argument "status" for `openclaw gateway call`/);
  });
});
