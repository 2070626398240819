import { existsSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { defineCommand } from 'citty';
import { backupJournal, restoreJournal, verifyJournal, type JournalVerification } from '../store/journal-backup.js';
import { JournalLockedError } from '../store/writer-lock.js';
import { resolvePaths } from './config.js';
import { CliFailure, fail } from './target.js';

const fileArg = { type: 'positional', description: 'The backup file', required: true } as const;
const jsonArg = { type: 'boolean', description: 'Print the result as JSON' } as const;

function liveJournal(): string {
  const { journalPath } = resolvePaths(process.env);
  if (!existsSync(journalPath)) throw new CliFailure('journal_missing', `no journal at ${journalPath} (set OPENCLAW_STATE_DIR to the gateway's state dir)`);
  return journalPath;
}

function summary(result: JournalVerification): string {
  const checked = result.checkpoints.map((c) => `${c.name}@${c.position} ${c.result}`).join(', ') || 'none';
  return (
    `${result.path}: ${result.ok ? 'ok' : 'FAILED'} — ${result.facts} facts in ${result.streams} streams, last seq ${result.lastSeq}, ` +
    `gateway seq ${result.gatewaySeq}, stateVersion presence ${result.stateVersion.presence} health ${result.stateVersion.health}; ` +
    `integrity ${result.integrity.join('; ')}; checkpoints: ${checked}\n` +
    result.problems.map((problem) => `  problem: ${problem}\n`).join('')
  );
}

function print(result: JournalVerification, json: boolean | undefined, extra: Record<string, unknown> = {}): void {
  process.stdout.write(json ? `${JSON.stringify({ ...result, ...extra })}\n` : summary(result));
  if (!result.ok) process.exit(1);
}

/** `openclaw gateway journal backup <file>`: an online, consistent copy, verified before it is reported. */
export const backupCommand = defineCommand({
  meta: { name: 'backup', description: 'Copy the journal to <file> while the gateway runs (SQLite online backup), then verify the copy' },
  args: { file: fileArg, force: { type: 'boolean', description: 'Overwrite <file> if it exists' }, json: jsonArg },
  run: async ({ args }) => {
    try {
      const source = liveJournal();
      const dest = resolve(String(args.file));
      if (dest === resolve(source)) throw new CliFailure('invalid_arguments', 'the backup file cannot be the journal itself');
      if (!existsSync(dirname(dest))) throw new CliFailure('invalid_arguments', `directory ${dirname(dest)} does not exist`);
      if (existsSync(dest)) {
        if (!args.force) throw new CliFailure('backup_exists', `${dest} exists; pass --force to overwrite it`);
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${dest}${suffix}`, { force: true });
      }
      await backupJournal(source, dest);
      print(verifyJournal(dest), args.json, { source });
    } catch (error) {
      fail(error, args.json, 'openclaw gateway journal backup');
    }
  },
});

/** `openclaw gateway journal verify <file>`: integrity, dense positions, checkpoints equal a replay from zero. */
export const verifyCommand = defineCommand({
  meta: { name: 'verify', description: 'Check a journal file: integrity_check, dense positions per stream, checkpoints equal a replay from zero' },
  args: { file: fileArg, json: jsonArg },
  run: ({ args }) => {
    try {
      const path = resolve(String(args.file));
      if (!existsSync(path)) throw new CliFailure('journal_missing', `no journal at ${path}`);
      print(verifyJournal(path), args.json);
    } catch (error) {
      fail(error, args.json, 'openclaw gateway journal verify');
    }
  },
});

/** `openclaw gateway journal restore <file>`: a verified backup becomes the journal (gateway stopped). */
export const restoreCommand = defineCommand({
  meta: { name: 'restore', description: 'Replace the journal with a verified backup (the gateway must be stopped; the old journal is kept aside)' },
  args: { file: fileArg, json: jsonArg },
  run: ({ args }) => {
    try {
      const backup = resolve(String(args.file));
      if (!existsSync(backup)) throw new CliFailure('journal_missing', `no backup at ${backup}`);
      const checked = verifyJournal(backup);
      if (!checked.ok) throw new CliFailure('backup_invalid', `${backup} does not verify: ${checked.problems.join('; ')}`);
      const { journalPath } = resolvePaths(process.env);
      let keptAs: string | undefined;
      try {
        keptAs = restoreJournal(backup, journalPath);
      } catch (error) {
        if (error instanceof JournalLockedError) throw new CliFailure('gateway_running', `${error.message}; stop the gateway before restoring`);
        throw error;
      }
      if (args.json) process.stdout.write(`${JSON.stringify({ ok: true, restored: journalPath, from: backup, keptAs: keptAs ?? null, gatewaySeq: checked.gatewaySeq, stateVersion: checked.stateVersion })}\n`);
      else process.stdout.write(`restored ${journalPath} from ${backup} (gateway seq ${checked.gatewaySeq})${keptAs ? `; the previous journal is kept as ${keptAs}` : ''}\n`);
    } catch (error) {
      fail(error, args.json, 'openclaw gateway journal restore');
    }
  },
});
