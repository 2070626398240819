import { existsSync } from 'node:fs';
import { defineCommand } from 'citty';
import { Journal } from '../store/journal.js';
import { exportJournal, toJsonLine } from '../store/export.js';
import { resolvePaths } from './config.js';
import { CliFailure, fail } from './target.js';
import { backupCommand, restoreCommand, verifyCommand } from './gateway-journal-backup.js';

function openJournal(): Journal {
  const { journalPath } = resolvePaths(process.env);
  if (!existsSync(journalPath)) throw new CliFailure('journal_missing', `no journal at ${journalPath} (set OPENCLAW_STATE_DIR to the gateway's state dir)`);
  return Journal.open(journalPath, { readonly: true });
}

/** `openclaw gateway journal tail|export|backup|verify|restore`: what the gateway did, one fact per line (JSONL). */
export const journalCommand = defineCommand({
  meta: { name: 'journal', description: 'Inspect the gateway journal (honours OPENCLAW_STATE_DIR)' },
  subCommands: {
    tail: defineCommand({
      meta: { name: 'tail', description: 'Print the newest facts as JSONL' },
      args: {
        limit: { type: 'string', description: 'How many facts (default 20)', default: '20' },
        stream: { type: 'string', description: 'Only this stream (gateway, system, session:<key>)' },
      },
      run: ({ args }) => {
        try {
          const limit = Number(args.limit);
          if (!Number.isInteger(limit) || limit < 1) throw new CliFailure('invalid_arguments', `invalid --limit ${args.limit}`);
          const journal = openJournal();
          for (const entry of journal.tail(limit, typeof args.stream === 'string' ? args.stream : undefined)) process.stdout.write(`${toJsonLine(entry)}\n`);
          journal.close();
        } catch (error) {
          fail(error, false, 'openclaw gateway journal tail');
        }
      },
    }),
    export: defineCommand({
      meta: { name: 'export', description: 'Print every fact, in seq order, as JSONL' },
      run: () => {
        try {
          const journal = openJournal();
          exportJournal(journal, (line) => process.stdout.write(line));
          journal.close();
        } catch (error) {
          fail(error, false, 'openclaw gateway journal export');
        }
      },
    }),
    backup: backupCommand,
    verify: verifyCommand,
    restore: restoreCommand,
  },
});
