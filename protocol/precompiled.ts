import type { ValidateFunction } from 'ajv';

/**
 * Validators generated at build time (`npm run build` overwrites the compiled copy of this file
 * with AJV standalone code, see protocol/precompile.ts), keyed by `schemaKey`. Empty when the
 * sources run directly (tests): then each schema is compiled at load instead.
 */
export const PRECOMPILED: Readonly<Record<string, ValidateFunction>> = {};
