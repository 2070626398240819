/**
 * Unknown and misplaced flags, and help at every level (issue 12, "What a new user hits" 2, 3):
 * the built CLI refuses a flag the command does not define with one line naming it and exit 2;
 * `gateway --dev` is the official run flag; `--help` lists subcommands and flags.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/gateway-process.js';
import { runCli, spawnCli, type Daemon } from '../helpers/cli-process.js';

let home: string;
const daemons: Daemon[] = [];

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'openclaw-cli-args-'));
});
afterEach(async () => {
  for (const daemon of daemons.splice(0)) await daemon.stop('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(args, { env: { HOME: home } });

describe('unknown and misplaced flags', () => {
  it.each([
    [['gateway', 'call', 'health', '--bogus-flag'], '--bogus-flag', 'openclaw gateway call'],
    [['gateway', '--bogus-flag'], '--bogus-flag', 'openclaw gateway run'],
    [['gateway', 'journal', 'tail', '--nope=1'], '--nope', 'openclaw gateway journal tail'],
    [['status', '--dev'], '--dev', 'openclaw status'],
    [['health', '--deep'], '--deep', 'openclaw health'],
  ])('%j is refused with one line naming the flag, exit 2', async (args, flag, command) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`openclaw: unknown flag ${flag} for \`${command}\` (see \`${command} --help\`)\n`);
  });

  it('refuses flags before a subcommand and unknown commands, exit 2', async () => {
    const misplaced = await cli(['--json', 'status']);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toMatch(/^openclaw: unknown flag --json for `openclaw` \(flags go after the subcommand/);
    const unknown = await cli(['gateway', 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('openclaw: unknown command `frobnicate` for `openclaw gateway` (see `openclaw gateway --help`)\n');
  });

  it('`gateway --dev` is `gateway run --dev`: creates a dev config and workspace if missing, then runs', async () => {
    const port = await freePort();
    const daemon = spawnCli(['gateway', '--dev', '--port', String(port)], { HOME: home, OPENCLAW_SKIP_CANVAS_HOST: '1' });
    daemons.push(daemon);
    await daemon.waitForOutput(/listening on ws:\/\//);
    expect(daemon.output()).toContain(`Dev config ready: ${join(home, '.openclaw', 'openclaw.json')}`);
    const config = JSON.parse(readFileSync(join(home, '.openclaw', 'openclaw.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(config.gateway).toMatchObject({ mode: 'local', bind: 'loopback', port });
    expect(config.agents).toEqual({ defaults: { workspace: join(home, '.openclaw', 'workspace-dev') } });
    expect(existsSync(join(home, '.openclaw', 'workspace-dev'))).toBe(true);
  });
});

describe('--help at every level', () => {
  it('root help lists the commands and the global --dev / --profile', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(0);
    for (const word of ['gateway', 'agent', 'setup', 'logs', 'doctor', 'status', 'health', '--dev', '--profile']) expect(result.stdout).toContain(word);
  });

  it('`gateway --help` lists its run flags and every subcommand', async () => {
    const result = await cli(['gateway', '--help']);
    expect(result.code).toBe(0);
    for (const word of ['--port', '--token', '--allow-unconfigured', '--dev', 'run', 'call', 'install', 'status', 'probe', 'journal', 'inspect']) {
      expect(result.stdout).toContain(word);
    }
  });

  it('`gateway journal --help` lists tail and export; a leaf lists its flags', async () => {
    const journal = await cli(['gateway', 'journal', '--help']);
    expect(journal.stdout).toMatch(/tail[\s\S]*export/);
    const call = await cli(['gateway', 'call', '--help']);
    for (const word of ['--params', '--url', '--token', '--timeout', '--expect-final']) expect(call.stdout).toContain(word);
  });
});
