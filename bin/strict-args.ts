import type { ArgDef, ArgsDef } from 'citty';

/** The parts of a citty command the check reads; subcommands may be lazy (citty's `Resolvable`). */
export interface CommandTree {
  readonly meta?: unknown;
  readonly args?: unknown;
  readonly subCommands?: unknown;
}

/** A value, a promise of it, or a function returning either: how citty lets a command load lazily. */
export async function resolveValue<T>(value: T | Promise<T> | (() => T | Promise<T>)): Promise<T> {
  return typeof value === 'function' ? await (value as () => T | Promise<T>)() : await value;
}

/** Exit code of a command line that names an unknown flag, command or argument (usage error). */
export const EXIT_USAGE = 2;

/** Why a command line was refused, and the command it was meant for. */
export interface ArgsRefusal {
  readonly command: string;
  readonly message: string;
}

const HELP_FLAGS = new Set(['--help', '-h']);

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Looks a flag name up in a command's args (by name, kebab-case name or alias); positionals never match. */
function findFlag(args: ArgsDef, name: string): ArgDef | undefined {
  for (const [key, def] of Object.entries(args)) {
    if (def.type === 'positional') continue;
    const alias = (def as { alias?: string | string[] }).alias;
    const aliases = alias === undefined ? [] : Array.isArray(alias) ? alias : [alias];
    if (key === name || kebab(key) === name || aliases.includes(name)) return def;
  }
  return undefined;
}

/**
 * Checks a command line against the citty command tree before citty sees it (citty accepts any
 * flag): every flag must be one the selected command defines, flags before a subcommand are
 * misplaced, a subcommand must exist, and a leaf takes no more positionals than it defines.
 * Mirrors citty's parsing (mri): `--x=v`, `--no-x`, a string flag takes the next argument unless
 * it starts with `-`, `--` ends the flags. Loads only the commands along the path it checks.
 * Returns the first refusal, or undefined.
 */
export async function checkArgs(root: CommandTree, rawArgs: readonly string[]): Promise<ArgsRefusal | undefined> {
  let command = root;
  let path = [nameOf(root)];
  let argv = [...rawArgs];
  for (;;) {
    const subCommands = ((await resolveValue(command.subCommands)) ?? {}) as Record<string, unknown>;
    const hasSubs = Object.keys(subCommands).length > 0;
    const args = (command.args ?? {}) as ArgsDef;
    const where = path.join(' ');
    if (hasSubs) {
      // citty takes the first argument without a leading `-` as the subcommand.
      const index = argv.findIndex((arg) => !arg.startsWith('-'));
      const misplaced = argv.slice(0, index === -1 ? argv.length : index).find((arg) => !HELP_FLAGS.has(arg));
      if (misplaced !== undefined) {
        return { command: where, message: `unknown flag ${flagName(misplaced)} for \`${where}\` (flags go after the subcommand; see \`${where} --help\`)` };
      }
      if (index === -1) return undefined; // no subcommand: citty shows the usage (or runs the command)
      const name = argv[index] as string;
      const next = subCommands[name] === undefined ? undefined : ((await resolveValue(subCommands[name])) as CommandTree);
      if (!next) return { command: where, message: `unknown command \`${name}\` for \`${where}\` (see \`${where} --help\`)` };
      command = next;
      path = [...path, name];
      argv = argv.slice(index + 1);
      continue;
    }
    const positionals: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i] as string;
      if (arg === '--') {
        positionals.push(...argv.slice(i + 1));
        break;
      }
      if (HELP_FLAGS.has(arg)) continue;
      if (!arg.startsWith('-') || arg === '-') {
        positionals.push(arg);
        continue;
      }
      const long = arg.startsWith('--');
      const body = arg.slice(long ? 2 : 1);
      const eq = body.indexOf('=');
      const name = eq === -1 ? body : body.slice(0, eq);
      const names = long ? [name] : [...name];
      for (const [n, single] of names.entries()) {
        const negated = long && single.startsWith('no-') ? findFlag(args, single.slice(3)) : undefined;
        const def = findFlag(args, single) ?? (negated?.type === 'boolean' ? negated : undefined);
        if (!def) return { command: where, message: `unknown flag ${long ? '--' : '-'}${single} for \`${where}\` (see \`${where} --help\`)` };
        const last = n === names.length - 1;
        if (!last || eq !== -1 || def === negated) continue;
        const value = argv[i + 1];
        const takesNext = value !== undefined && !value.startsWith('-');
        if (def.type === 'string') {
          if (!takesNext) return { command: where, message: `flag ${long ? '--' : '-'}${single} of \`${where}\` needs a value` };
          i++;
        } else if (takesNext && (value === 'true' || value === 'false')) {
          i++;
        }
      }
    }
    const defined = Object.values(args).filter((def) => def.type === 'positional').length;
    if (positionals.length > defined) {
      return { command: where, message: `unexpected argument ${JSON.stringify(positionals[defined])} for \`${where}\` (see \`${where} --help\`)` };
    }
    return undefined;
  }
}

function nameOf(command: CommandTree): string {
  const meta = command.meta as { name?: string } | undefined;
  return meta?.name ?? 'openclaw';
}

function flagName(arg: string): string {
  const eq = arg.indexOf('=');
  return eq === -1 ? arg : arg.slice(0, eq);
}
