import type { LogRecord } from '../../protocol/methods/logs.js';
import { DEFAULT_ROTATION, RotatingLogFile, type RotationPolicy } from './file.js';
import { redactFields, redactText } from './redact.js';

/** Log levels, most to least severe. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** The gateway's logger: one line per record. Secrets are masked before anything is written. */
export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  /** Debug records (e.g. every frame with `--verbose`); free when disabled. */
  debug(message: string, fields?: Record<string, unknown>): void;
  readonly debugEnabled: boolean;
  /** A logger for one subsystem (`gateway/reload`, `gateway/canvas`…) sharing this one's sinks. */
  child?(subsystem: string): Logger;
}

/** `logger.child(subsystem)` where supported, else the logger itself. */
export const subsystemLogger = (logger: Logger, subsystem: string): Logger => logger.child?.(subsystem) ?? logger;

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const TSLOG_ID: Record<LogLevel, number> = { debug: 2, info: 3, warn: 4, error: 5 };

/** A readable console line: `<time> <level> [subsystem] <message> {fields}`. */
function consoleLine(time: string, level: LogLevel, subsystem: string | undefined, message: string, fields?: Record<string, unknown>): string {
  const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  return `${time} ${level.padEnd(5)} ${subsystem ? `[${subsystem}] ` : ''}${message}${extra}\n`;
}

/** A logger writing readable lines (`<time> <level> <message> {fields}`) through `write`. */
export function createLogger(options: { level: LogLevel; write: (line: string) => void; now?: () => Date }): Logger {
  const now = options.now ?? (() => new Date());
  const max = RANK[options.level];
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (RANK[level] > max) return;
    options.write(consoleLine(now().toISOString(), level, undefined, redactText(message), fields && redactFields(fields)));
  };
  return {
    error: (m, f) => emit('error', m, f),
    warn: (m, f) => emit('warn', m, f),
    info: (m, f) => emit('info', m, f),
    debug: (m, f) => emit('debug', m, f),
    debugEnabled: max >= RANK.debug,
  };
}

/** What the gateway logger writes where; every part can change while it runs (hot reload). */
export interface LogSettings {
  /** The stdout mirror's level (`debug` with `--verbose`). */
  readonly consoleLevel: LogLevel;
  /** The file log's level (`logging.level`); `silent` writes no file. */
  readonly fileLevel: LogLevel | 'silent';
  /** The JSONL file; undefined: no file log. */
  readonly file: string | undefined;
  readonly rotation: RotationPolicy;
  /** Secret values (gateway token, password) masked wherever they appear. */
  readonly secrets: readonly string[];
}

/** The process-wide logger: a stdout mirror and a rotating JSONL file, reconfigurable. */
export interface GatewayLogger extends Logger {
  configure(settings: Partial<LogSettings>): void;
  /** The file currently written (for `logs.tail`), or undefined. */
  filePath(): string | undefined;
  close(): void;
}

/** Creates the gateway logger. `write` receives console lines; file records go to `settings.file`. */
export function createGatewayLogger(
  initial: Partial<LogSettings> & { consoleLevel: LogLevel },
  io: { write: (line: string) => void; hostname: string; now?: () => Date },
): GatewayLogger {
  const now = io.now ?? (() => new Date());
  let settings: LogSettings = { fileLevel: 'info', file: undefined, rotation: DEFAULT_ROTATION, secrets: [], ...initial };
  let file = settings.file ? new RotatingLogFile(settings.file, settings.rotation) : undefined;
  let reportedFailure: string | undefined;

  const enabled = (level: LogLevel) =>
    RANK[level] <= RANK[settings.consoleLevel] || (file !== undefined && settings.fileLevel !== 'silent' && RANK[level] <= RANK[settings.fileLevel]);

  const emit = (subsystem: string, level: LogLevel, rawMessage: string, rawFields?: Record<string, unknown>) => {
    if (!enabled(level)) return;
    const date = now();
    const time = date.toISOString();
    const message = redactText(rawMessage, settings.secrets);
    const fields = rawFields && Object.keys(rawFields).length > 0 ? redactFields(rawFields, settings.secrets) : undefined;
    if (RANK[level] <= RANK[settings.consoleLevel]) io.write(consoleLine(time, level, subsystem === 'gateway' ? undefined : subsystem.replace(/^gateway\//, ''), message, fields));
    if (!file || settings.fileLevel === 'silent' || RANK[level] > RANK[settings.fileLevel]) return;
    const record: LogRecord = {
      '0': message,
      ...(fields ? { '1': fields } : {}),
      _meta: {
        name: JSON.stringify({ subsystem }),
        parentNames: ['openclaw'],
        date: time,
        logLevelId: TSLOG_ID[level],
        logLevelName: level.toUpperCase(),
        hostname: io.hostname,
      },
      time,
      hostname: io.hostname,
      level,
      subsystem,
      message: fields ? `${message} ${JSON.stringify(fields)}` : message,
    };
    try {
      file.write(`${JSON.stringify(record)}\n`);
      reportedFailure = undefined;
    } catch (error) {
      // Logging must never take the gateway down: say so once on the console and go on.
      if (reportedFailure !== file.path) {
        reportedFailure = file.path;
        io.write(consoleLine(time, 'error', undefined, `cannot write the log file ${file.path}: ${(error as Error).message}`));
      }
    }
  };

  const make = (subsystem: string): Logger => ({
    error: (m, f) => emit(subsystem, 'error', m, f),
    warn: (m, f) => emit(subsystem, 'warn', m, f),
    info: (m, f) => emit(subsystem, 'info', m, f),
    debug: (m, f) => emit(subsystem, 'debug', m, f),
    get debugEnabled() {
      return enabled('debug');
    },
    child: (name: string) => make(name.includes('/') ? name : `gateway/${name}`),
  });

  return Object.assign(make('gateway'), {
    configure(next: Partial<LogSettings>) {
      settings = { ...settings, ...next };
      if (settings.file !== file?.path) {
        file?.close();
        file = settings.file ? new RotatingLogFile(settings.file, settings.rotation) : undefined;
      } else file?.setPolicy(settings.rotation);
    },
    filePath: () => file?.path,
    close: () => file?.close(),
  });
}

/** A logger that drops everything (tests, embedded use). */
export const silentLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  debugEnabled: false,
};
