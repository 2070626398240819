import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import * as standaloneModule from 'ajv/dist/standalone/index.js';
import { AJV_OPTIONS, PRECOMPILED_DIR_NAME, schemaKey, validatedSchemas } from './ajv.js';
import { GATEWAY_TOOL_SPECS } from './gateway-tools.js';

/*
 * Build step (after tsc, before bundling): loads every compiled protocol module so each schema
 * that gets a validator registers itself, then writes one AJV standalone validator per schema,
 * `dist/protocol/validators/<schemaKey>.cjs`. The gateway loads a validator the first time it is
 * used (protocol/ajv.ts), so a start neither compiles schemas nor parses the code of validators
 * it does not use (all of them together are about as large as the rest of the gateway).
 */
// ajv ships this as CommonJS with `exports.default`.
const standaloneCode = (standaloneModule as unknown as { default: (ajv: Ajv, refs: Record<string, string>) => string }).default;
const here = dirname(fileURLToPath(import.meta.url));
const SKIP = new Set(['precompile.js', 'generate.js']);

function modulesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === PRECOMPILED_DIR_NAME ? [] : modulesUnder(path);
    return entry.name.endsWith('.js') && !SKIP.has(entry.name) ? [path] : [];
  });
}

for (const path of modulesUnder(here)) await import(pathToFileURL(path).href);
// Tool argument schemas (protocol/gateway-tools.ts) get validators when the tool registry is built.
const schemas = [...validatedSchemas, ...GATEWAY_TOOL_SPECS.map((spec) => spec.parameters)];

const generator = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
const keys = new Set<string>();
for (const schema of schemas) {
  const key = schemaKey(schema);
  if (keys.has(key)) continue;
  generator.addSchema(schema, key);
  keys.add(key);
}
const out = join(here, PRECOMPILED_DIR_NAME);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const key of keys) writeFileSync(join(out, `${key}.cjs`), `${standaloneCode(generator, { [key]: key })}\n`);
process.stdout.write(`precompiled ${keys.size} validators\n`);
