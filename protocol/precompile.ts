import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import * as standaloneModule from 'ajv/dist/standalone/index.js';
import { AJV_OPTIONS, schemaKey, validatedSchemas } from './ajv.js';
import { GATEWAY_TOOL_SPECS } from './gateway-tools.js';

/*
 * Build step (after tsc, before bundling): loads every compiled protocol module so each schema
 * that gets a validator registers itself, then writes AJV standalone code for all of them over
 * dist/protocol/precompiled.js. The gateway then starts without compiling a single schema.
 */
// ajv ships this as CommonJS with `exports.default`.
const standaloneCode = (standaloneModule as unknown as { default: (ajv: Ajv, refs: Record<string, string>) => string }).default;
const here = dirname(fileURLToPath(import.meta.url));
const SKIP = new Set(['precompile.js', 'precompiled.js', 'generate.js']);

function modulesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return modulesUnder(path);
    return entry.name.endsWith('.js') && !SKIP.has(entry.name) ? [path] : [];
  });
}

for (const path of modulesUnder(here)) await import(pathToFileURL(path).href);
// Tool argument schemas (protocol/gateway-tools.ts) get validators when the tool registry is built.
const schemas = [...validatedSchemas, ...GATEWAY_TOOL_SPECS.map((spec) => spec.parameters)];

const generator = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true } });
const exports: Record<string, string> = {};
for (const schema of schemas) {
  const key = schemaKey(schema);
  if (exports[key]) continue;
  generator.addSchema(schema, key);
  exports[key] = key;
}
// AJV's standalone ESM still loads its runtime helpers with `require()`: give the module one.
const code = standaloneCode(generator, exports).replace(/^"use strict";/, '');
const imports = "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);";
const keys = Object.keys(exports);
writeFileSync(join(here, 'precompiled.js'), `${imports}\n${code}\nexport const PRECOMPILED = { ${keys.join(', ')} };\n`);
process.stdout.write(`precompiled ${keys.length} validators\n`);
