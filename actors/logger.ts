/** Log levels, most to least severe. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** The gateway's logger: one line per record. Secrets must never be passed in. */
export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  /** Debug records (e.g. every frame with `--verbose`); free when disabled. */
  debug(message: string, fields?: Record<string, unknown>): void;
  readonly debugEnabled: boolean;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** A logger writing readable lines (`<time> <level> <message> {fields}`) through `write`. */
export function createLogger(options: { level: LogLevel; write: (line: string) => void; now?: () => Date }): Logger {
  const now = options.now ?? (() => new Date());
  const max = RANK[options.level];
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (RANK[level] > max) return;
    const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    options.write(`${now().toISOString()} ${level.padEnd(5)} ${message}${extra}\n`);
  };
  return {
    error: (m, f) => emit('error', m, f),
    warn: (m, f) => emit('warn', m, f),
    info: (m, f) => emit('info', m, f),
    debug: (m, f) => emit('debug', m, f),
    debugEnabled: max >= RANK.debug,
  };
}

/** A logger that drops everything (tests, embedded use). */
export const silentLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  debugEnabled: false,
};
