import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LAUNCHER } from './gateway-process.js';

/**
 * Recording fakes of `systemctl`, `launchctl`, `schtasks`, `loginctl`, `journalctl` and `cmd`: small
 * shell scripts placed first on PATH that append their argv to a log and answer with canned
 * output. The CLI under test runs with a temp HOME and only this PATH, so the real supervisors
 * and the real ~/.config/systemd are never touched.
 *
 * A fake answers `<dir>/<command>.<verb>.out` on stdout and exits with `<dir>/<command>.<verb>.code`
 * (default 0), where verb = its first argument not starting with `-`, a leading `/` removed
 * (`systemctl --user show …` → `show`, `schtasks /Query …` → `Query`); `<command>.out` is the fallback.
 */

export const FAKE_COMMANDS = ['systemctl', 'launchctl', 'schtasks', 'loginctl', 'journalctl', 'cmd'] as const;
export type FakeCommand = (typeof FAKE_COMMANDS)[number];

const SCRIPT = (name: string) => `#!/bin/sh
line="${name}"
for a in "$@"; do line="$line $a"; done
printf '%s\\n' "$line" >> "$FAKE_LOG"
verb=""
for a in "$@"; do case "$a" in -*) ;; *) verb="\${a#/}"; break ;; esac; done
dir="$FAKE_DIR/answers"
if [ -f "$dir/${name}.$verb.out" ]; then cat "$dir/${name}.$verb.out"; elif [ -f "$dir/${name}.out" ]; then cat "$dir/${name}.out"; fi
if [ -f "$dir/${name}.$verb.code" ]; then exit "$(cat "$dir/${name}.$verb.code")"; fi
exit 0
`;

/** A sandbox: temp HOME, fake supervisors on PATH, and a log of what they were asked. */
export interface FakeSupervisors {
  readonly root: string;
  readonly home: string;
  readonly binDir: string;
  /** Environment for the CLI: clean, with the fakes first on PATH and HOME in the sandbox. */
  env(extra?: Readonly<Record<string, string>>): Record<string, string>;
  /** Canned answer of `<command> <verb>`. */
  respond(command: FakeCommand, verb: string, answer: { stdout?: string; code?: number }): void;
  /** Every fake invocation so far, one `command arg…` string each. */
  calls(): string[];
  clearCalls(): void;
  cleanup(): void;
}

/** Creates the sandbox. */
export function createFakeSupervisors(): FakeSupervisors {
  const root = mkdtempSync(join(tmpdir(), 'openclaw-svc-'));
  const home = join(root, 'home');
  const binDir = join(root, 'bin');
  const answers = join(root, 'answers');
  const log = join(root, 'calls.log');
  for (const dir of [home, binDir, answers]) mkdirSync(dir, { recursive: true });
  for (const name of FAKE_COMMANDS) {
    writeFileSync(join(binDir, name), SCRIPT(name));
    chmodSync(join(binDir, name), 0o755);
  }
  writeFileSync(log, '');
  return {
    root,
    home,
    binDir,
    env: (extra = {}) => ({
      PATH: [binDir, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'].join(':'),
      HOME: home,
      USER: 'alice',
      LANG: 'C.UTF-8',
      FAKE_LOG: log,
      FAKE_DIR: root,
      ...extra,
    }),
    respond: (command, verb, answer) => {
      const base = join(answers, verb ? `${command}.${verb}` : command);
      if (answer.stdout !== undefined) writeFileSync(`${base}.out`, answer.stdout);
      if (answer.code !== undefined) writeFileSync(`${base}.code`, String(answer.code));
    },
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []),
    clearCalls: () => writeFileSync(log, ''),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** What an isolated CLI run printed. */
export interface IsolatedRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `openclaw <args>` with exactly `env` (no inherited variables). */
export async function runIsolatedCli(args: readonly string[], env: Readonly<Record<string, string>>, timeoutMs = 20_000): Promise<IsolatedRun> {
  const child = spawn(process.execPath, [LAUNCHER, ...args], { env: { ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Runs `openclaw <args> --json` and parses stdout. */
export async function runIsolatedJson<T = Record<string, unknown>>(args: readonly string[], env: Readonly<Record<string, string>>): Promise<{ code: number | null; json: T; stderr: string }> {
  const run = await runIsolatedCli([...args, '--json'], env);
  try {
    return { code: run.code, json: JSON.parse(run.stdout) as T, stderr: run.stderr };
  } catch (error) {
    throw new Error(`openclaw ${args.join(' ')} --json printed no JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`, { cause: error });
  }
}
