import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { TSchema, Static } from '@sinclair/typebox';

/** The one AJV instance: every schema is compiled once, at module load. */
export const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false });

/** A compiled validator with a human message in the official server's wording. */
export interface Validator<T> {
  (value: unknown): value is T;
  /** Message of the last failure, e.g. `at /client/id: must be equal to one of the allowed values`. */
  readonly lastError: () => string;
}

/** Compiles `schema` once and returns a type guard plus its last error text. */
export function compile<TSchemaT extends TSchema>(schema: TSchemaT): Validator<Static<TSchemaT>> {
  const validate: ValidateFunction = ajv.compile(schema);
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
