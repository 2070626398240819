import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/official.js';

/*
 * The layering of the tree (README "Layout"): protocol/ ← store/, machines/ ← actors/ ← bin/.
 * A lower layer never imports a higher one, machines/ import no I/O at all, and no two files
 * import each other, directly or around a loop (type-only imports count: they tie the files as
 * tightly for a reader).
 */

const LAYERS = ['protocol', 'store', 'machines', 'actors', 'bin'] as const;
type Layer = (typeof LAYERS)[number];
/** What each layer may import from the project, besides its own folder. */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  protocol: [],
  store: ['protocol'],
  machines: ['protocol'],
  actors: ['protocol', 'store', 'machines'],
  bin: ['protocol', 'store', 'machines', 'actors'],
};
/** Packages a pure machine may import; anything else (node:*, ws, SQLite, SDKs) is I/O. */
const MACHINE_PACKAGES = new Set(['xstate']);

/** One import statement of one file: a project path (repo-relative, .ts) or a package name. */
interface ImportRef {
  readonly from: string;
  readonly target: string;
  readonly local: boolean;
}

const SPECIFIER = /(?:^|\s)(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm;

/** The imports of one source text written at `file` (repo-relative). */
export function importsOf(file: string, source: string): ImportRef[] {
  const refs: ImportRef[] = [];
  for (const match of source.matchAll(SPECIFIER)) {
    const spec = match[1] ?? match[2] ?? match[3];
    if (!spec) continue;
    if (spec.startsWith('.')) {
      const target = relative('.', join(dirname(file), spec)).replace(/\.js$/, '.ts');
      refs.push({ from: file, target, local: true });
    } else {
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      refs.push({ from: file, target: name, local: false });
    }
  }
  return refs;
}

const layerOf = (path: string): Layer | undefined => LAYERS.find((layer) => path.startsWith(`${layer}/`));

/** Every broken layering rule among `refs`, one line each. */
export function layerViolations(refs: readonly ImportRef[]): string[] {
  const found: string[] = [];
  for (const ref of refs) {
    const layer = layerOf(ref.from);
    if (!layer) continue;
    if (!ref.local) {
      if (layer === 'machines' && !MACHINE_PACKAGES.has(ref.target)) found.push(`${ref.from} imports I/O package ${ref.target}`);
      continue;
    }
    const targetLayer = layerOf(ref.target);
    if (!targetLayer || targetLayer === layer) continue;
    if (!MAY_IMPORT[layer].includes(targetLayer)) found.push(`${ref.from} imports up: ${ref.target}`);
  }
  return found;
}

/** Every import cycle among the local files of `refs`, each as a path a → … → a. */
export function importCycles(refs: readonly ImportRef[]): string[] {
  const edges = new Map<string, string[]>();
  for (const ref of refs) if (ref.local) edges.set(ref.from, [...(edges.get(ref.from) ?? []), ref.target]);
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      const seen = state.get(next);
      if (seen === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
      else if (seen === undefined) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...edges.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(resolve(PROJECT_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const projectRefs = (): ImportRef[] =>
  LAYERS.flatMap((layer) => sourcesUnder(layer)).flatMap((file) => importsOf(file, readFileSync(resolve(PROJECT_ROOT, file), 'utf8')));

describe('import rules', () => {
  it('the tree keeps its layering: no upward import, no I/O in machines/', () => {
    expect(layerViolations(projectRefs())).toEqual([]);
  });

  it('the tree has no import cycle', () => {
    expect(importCycles(projectRefs())).toEqual([]);
  });

  it('refuses a machine that imports I/O or actors/, and protocol/ or store/ importing actors/ or bin/', () => {
    const refs = [
      ...importsOf('machines/m.ts', "import { setup } from 'xstate';\nimport { readFileSync } from 'node:fs';"),
      ...importsOf('machines/n.ts', "import type { Journal } from '../store/journal.js';\nimport { x } from '../actors/gateway/system.js';"),
      ...importsOf('protocol/p.ts', "export { y } from '../actors/logs/logger.js';"),
      ...importsOf('store/s.ts', "const m = await import('../bin/main.js');\nimport { T } from '../protocol/frames.js';"),
      ...importsOf('actors/a.ts', "import { run } from '../bin/gateway-run.js';\nimport { m } from '../machines/connection.js';"),
    ];
    expect(layerViolations(refs)).toEqual([
      'machines/m.ts imports I/O package node:fs',
      'machines/n.ts imports up: store/journal.ts',
      'machines/n.ts imports up: actors/gateway/system.ts',
      'protocol/p.ts imports up: actors/logs/logger.ts',
      'store/s.ts imports up: bin/main.ts',
      'actors/a.ts imports up: bin/gateway-run.ts',
    ]);
  });

  it('finds a type-only cycle between two files', () => {
    const refs = [
      ...importsOf('actors/gateway/module.ts', "import type { S } from './methods/context.js';"),
      ...importsOf('actors/gateway/methods/context.ts', "import type { O } from '../module.js';"),
    ];
    expect(importCycles(refs)).toEqual(['actors/gateway/methods/context.ts → actors/gateway/module.ts → actors/gateway/methods/context.ts']);
  });
});
