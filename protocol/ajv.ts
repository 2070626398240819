import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import type { TSchema, Static } from '@sinclair/typebox';
import { PRECOMPILED } from './precompiled.js';

/** Options shared by the runtime instance and the build-time generator (they must agree). */
export const AJV_OPTIONS: Options = { allErrors: false, strict: false, coerceTypes: false, useDefaults: false };

/** The one AJV instance, for schemas the build did not precompile. */
export const ajv = new Ajv(AJV_OPTIONS);

/** Every schema a validator was made for, in order: what the build precompiles. */
export const validatedSchemas: object[] = [];

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

/** The validator of `schema`: generated at build time when available, else compiled now (once). */
export function validatorFor(schema: object): ValidateFunction {
  validatedSchemas.push(schema);
  return PRECOMPILED[schemaKey(schema)] ?? ajv.compile(schema);
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
