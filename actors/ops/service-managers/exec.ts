import { execFile } from 'node:child_process';
import type { IssuedCommand } from '../../../protocol/cli/service.js';

/** How one external command ended. `code` 127 = not installed, 124 = timed out. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The program was not found on PATH. */
  readonly missing: boolean;
}

/** Runs a supervisor command; never rejects (a failure is a result). */
export type CommandRunner = (command: string, args: readonly string[], options?: { timeoutMs?: number }) => Promise<CommandResult>;

/** A runner plus the log of what it ran, for `--json` output and tests. */
export interface RecordingRunner {
  readonly run: CommandRunner;
  readonly issued: IssuedCommand[];
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Creates a runner that resolves programs through `env.PATH` (tests put recording fakes of
 * systemctl/launchctl/schtasks/loginctl first on it) and records every command it runs.
 */
export function createCommandRunner(env: NodeJS.ProcessEnv): RecordingRunner {
  const issued: IssuedCommand[] = [];
  const run: CommandRunner = (command, args, options = {}) =>
    new Promise((resolve) => {
      execFile(
        command,
        [...args],
        { env, timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, encoding: 'utf8', maxBuffer: 8 * 1024 * 1024, windowsHide: true },
        (error, stdout, stderr) => {
          const err = error as (NodeJS.ErrnoException & { code?: string | number; killed?: boolean }) | null;
          const missing = err?.code === 'ENOENT';
          const code = !err ? 0 : missing ? 127 : err.killed ? 124 : typeof err.code === 'number' ? err.code : 1;
          const stderrText = missing ? `${command}: not found` : String(stderr ?? '');
          issued.push({ argv: [command, ...args], code, ...(code !== 0 && stderrText.trim() ? { stderr: stderrText.trim() } : {}) });
          resolve({ code, stdout: String(stdout ?? ''), stderr: stderrText, missing });
        },
      );
    });
  return { run, issued };
}

/** A required supervisor command failed. */
export class ServiceCommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly result: CommandResult,
  ) {
    const detail = (result.stderr || result.stdout).trim();
    super(
      result.missing
        ? `${argv[0]} not found: this machine has no ${argv[0]} on PATH`
        : `\`${argv.join(' ')}\` failed (exit ${result.code})${detail ? `: ${detail}` : ''}`,
    );
    this.name = 'ServiceCommandError';
  }
}

/** Runs a command that must succeed; throws ServiceCommandError otherwise. */
export async function runRequired(run: CommandRunner, command: string, args: readonly string[]): Promise<CommandResult> {
  const result = await run(command, args);
  if (result.code !== 0) throw new ServiceCommandError([command, ...args], result);
  return result;
}
