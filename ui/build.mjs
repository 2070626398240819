// Builds the Control UI into dist/control-ui/: the Preact app bundled by esbuild with
// fingerprinted names, index.html pointing at them, the public files, and machines.json (the
// xstate definitions of machines/, read from the tsc output, for the inspector's statechart).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const out = join(root, 'dist', 'control-ui');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const result = await build({
  entryPoints: { app: join(here, 'src', 'main.tsx') },
  bundle: true,
  format: 'esm',
  target: ['chrome120', 'firefox120', 'safari17'],
  minify: true,
  sourcemap: 'linked',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: '[name]-[hash]',
  outdir: join(out, 'assets'),
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((file) => relative(out, join(root, file)).replaceAll('\\', '/'));
const js = outputs.find((f) => f.endsWith('.js'));
const css = outputs.find((f) => f.endsWith('.css'));
const tags = [css ? `<link rel="stylesheet" href="/${css}" />` : '', `<script type="module" src="/${js}"></script>`].join('\n    ');
writeFileSync(join(out, 'index.html'), readFileSync(join(here, 'index.html'), 'utf8').replace('<!-- assets -->', tags));
copyFileSync(join(here, 'favicon.svg'), join(out, 'favicon.svg'));

// machines.json: each exported machine of dist/machines/, flattened for drawing.
const eventLabel = (type) =>
  type.startsWith('xstate.after.') ? `after ${type.split('.')[2]}` : type.startsWith('xstate.done.actor.') ? 'done' : type.startsWith('xstate.error.actor.') ? 'error' : type;
const idOf = (target) => (typeof target === 'string' ? target : target.id).replace(/^#/, '');
function flatten(machine) {
  const json = machine.toJSON();
  const states = [];
  const transitions = [];
  const walk = (node, depth) => {
    for (const child of Object.values(node.states ?? {})) {
      const label = child.id.split('.').slice(1).join('.');
      states.push({ id: child.id, label, type: child.type, depth, ...(child.description ? { description: child.description } : {}) });
      for (const list of Object.values(child.on ?? {})) {
        for (const t of list) {
          for (const target of t.target ?? []) {
            transitions.push({ source: child.id, target: idOf(target), event: t.eventType ? eventLabel(t.eventType) : 'always', ...(typeof t.guard === 'string' ? { guard: t.guard } : t.guard?.type ? { guard: t.guard.type } : {}) });
          }
        }
      }
      walk(child, depth + 1);
    }
  };
  walk(json, 0);
  const initial = json.initial?.target?.[0] ? idOf(json.initial.target[0]) : null;
  return { id: json.id, ...(machine.config.description ? { description: machine.config.description } : {}), initial, states, transitions };
}
const machines = [];
const machinesDir = join(root, 'dist', 'machines');
for (const file of readdirSync(machinesDir).filter((f) => f.endsWith('.js'))) {
  const exports = await import(pathToFileURL(join(machinesDir, file)).href);
  for (const value of Object.values(exports)) {
    if (value && typeof value === 'object' && typeof value.toJSON === 'function' && value.config && value.root) machines.push(flatten(value));
  }
}
writeFileSync(join(out, 'machines.json'), JSON.stringify({ machines }));
console.log(`control ui: ${js} (${Math.round(result.metafile.outputs[relative(root, join(out, js))]?.bytes / 1024)} KiB), ${machines.length} machines`);
