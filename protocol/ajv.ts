import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import type { TSchema, Static } from '@sinclair/typebox';

/** Options shared by the runtime instance and the build-time generator (they must agree). */
export const AJV_OPTIONS: Options = { allErrors: false, strict: false, coerceTypes: false, useDefaults: false };

const load = createRequire(import.meta.url);
let runtime: Ajv | undefined;
/**
 * The one AJV instance, for schemas the build did not precompile (and error descriptions). AJV
 * itself is loaded on the first call: a gateway built with `npm run build` may never need it.
 */
export function runtimeAjv(): Ajv {
  if (!runtime) {
    const { Ajv: AjvClass } = load('ajv') as typeof import('ajv');
    runtime = new AjvClass(AJV_OPTIONS);
  }
  return runtime;
}

/** Every schema a validator was made for, in order: what the build precompiles. */
export const validatedSchemas: object[] = [];

/** Folder of the build's validators (protocol/precompile.ts), one CommonJS file per schema key. */
export const PRECOMPILED_DIR_NAME = 'validators';
// Found from tsc output (dist/protocol/), the bundle (dist/) or a bundle chunk (dist/chunks/);
// absent when the sources run directly (tests), and then every schema is compiled on first use.
const precompiledDir = [`./${PRECOMPILED_DIR_NAME}/`, `./protocol/${PRECOMPILED_DIR_NAME}/`, `../protocol/${PRECOMPILED_DIR_NAME}/`]
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  .find((dir) => existsSync(dir));

/** The build-time validator of a schema key, or undefined when the build made none. */
export function precompiledValidator(key: string): ValidateFunction | undefined {
  if (precompiledDir === undefined) return undefined;
  const file = join(precompiledDir, `${key}.cjs`);
  return existsSync(file) ? (load(file) as Record<string, ValidateFunction>)[key] : undefined;
}

/** A stable key of a schema's JSON: two 32-bit FNV-style hashes, `v` + 16 hex digits. */
export function schemaKey(schema: object): string {
  const text = JSON.stringify(schema);
  let first = 0x811c9dc5;
  let second = 0x5bd1e995;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    first = Math.imul(first ^ code, 0x01000193);
    second = Math.imul(second ^ code, 0x5bd1e995);
    second ^= second >>> 15;
  }
  return `v${(first >>> 0).toString(16).padStart(8, '0')}${(second >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * The validator of `schema`: generated at build time when available, else compiled (once). It is
 * looked up on its first call, not here: modules declare hundreds of validators at load time and
 * finding one means hashing its schema's JSON, so a start pays only for the validators it uses.
 */
export function validatorFor(schema: object): ValidateFunction {
  validatedSchemas.push(schema);
  let resolved: ValidateFunction | undefined;
  const validate = ((data: unknown) => {
    resolved ??= precompiledValidator(schemaKey(schema)) ?? runtimeAjv().compile(schema);
    const valid = resolved(data);
    validate.errors = resolved.errors;
    return valid;
  }) as ValidateFunction;
  validate.errors = null;
  return validate;
}

/** A compiled validator with a human message in the official server's wording. */
export interface Validator<T> {
  (value: unknown): value is T;
  /** Message of the last failure, e.g. `at /client/id: must be equal to one of the allowed values`. */
  readonly lastError: () => string;
}

/** Returns a type guard for `schema` plus its last error text. */
export function compile<TSchemaT extends TSchema>(schema: TSchemaT): Validator<Static<TSchemaT>> {
  const validate = validatorFor(schema);
  const guard = ((value: unknown) => validate(value)) as Validator<Static<TSchemaT>>;
  Object.defineProperty(guard, 'lastError', { value: () => describeErrors(validate.errors) });
  return guard;
}

/** Formats AJV errors the way the official gateway does (`at <path>: <message>`). */
export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  if (!first) return 'invalid value';
  if (first.keyword === 'additionalProperties') {
    const extra = (first.params as { additionalProperty?: string }).additionalProperty;
    const where = first.instancePath === '' ? 'root' : first.instancePath;
    return `at ${where}: unexpected property '${extra ?? '?'}'`;
  }
  if (first.instancePath === '') return first.message ?? 'invalid value';
  return `at ${first.instancePath}: ${first.message ?? 'invalid value'}`;
}
