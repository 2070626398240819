/** The shared strict-args check of bin/ (issue 12, "What a new user hits" 2). */
import { describe, expect, it } from 'vitest';
import { defineCommand } from 'citty';
import { checkArgs } from '../../bin/strict-args.js';
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

/** Every runnable command path of the tree. */
function leaves(command: { subCommands?: unknown }, path: string[] = []): string[][] {
  const subs = Object.entries((command.subCommands ?? {}) as Record<string, { subCommands?: unknown }>);
  return subs.length === 0 ? [path] : subs.flatMap(([name, sub]) => leaves(sub, [...path, name]));
}

describe('strict args', () => {
  it('every command refuses an unknown flag, naming it', () => {
    const paths = leaves(root);
    expect(paths.length).toBeGreaterThan(15);
    for (const path of paths) {
      const positional = path.join(' ') === 'gateway call' ? ['health'] : [];
      expect(checkArgs(root, [...path, ...positional, '--bogus-flag'])?.message, path.join(' ')).toMatch(/^unknown flag --bogus-flag for `openclaw /);
    }
  });

  it('accepts defined flags in every citty spelling', () => {
    expect(checkArgs(root, ['gateway', 'run', '--port', '1', '--allow-unconfigured', '--token=t'])).toBeUndefined();
    expect(checkArgs(root, ['gateway', 'status', '--no-probe', '--json'])).toBeUndefined();
    expect(checkArgs(root, ['gateway', 'call', 'health', '--params', '{}', '--expect-final'])).toBeUndefined();
    expect(checkArgs(root, ['agent', '-m', 'hi', '--json'])).toBeUndefined();
    expect(checkArgs(root, ['gateway', 'journal', 'tail', '--limit', '5', '--help'])).toBeUndefined();
  });

  it('refuses a missing value, an unknown short flag and a surplus positional', () => {
    expect(checkArgs(root, ['gateway', 'run', '--port'])?.message).toBe('flag --port of `openclaw gateway run` needs a value');
    expect(checkArgs(root, ['agent', '-x'])?.message).toMatch(/^unknown flag -x for `openclaw agent`/);
    expect(checkArgs(root, ['gateway', 'call', 'health', 'status'])?.message).toMatch(/^unexpected argument "status" for `openclaw gateway call`/);
  });
});
