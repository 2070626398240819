import { Type, type Static } from '@sinclair/typebox';

/*
 * SecretRefs (the official contract, docs/gateway/secrets/secretref-contract.md): a credential in
 * `openclaw.json` may be a plaintext string, the shorthand `"${ENV_NAME}"` / `"$ENV_NAME"`, or
 * `{source: "env"|"file"|"exec", provider?, id}`. `secrets.providers.<alias>` configures where a
 * source reads from; `env` needs no entry (the built-in reader), `file` and `exec` do.
 */

const Closed = { additionalProperties: false } as const;
const NonEmpty = Type.String({ minLength: 1 });
/** Provider aliases: `^[a-z][a-z0-9_-]{0,63}$`. */
export const PROVIDER_ALIAS = '^[a-z][a-z0-9_-]{0,63}$';
/** Environment names (env ids): `^[A-Z][A-Z0-9_]{0,127}$`. */
export const ENV_ID = /^[A-Z][A-Z0-9_]{0,127}$/;
/** Exec ids: `^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,255}$`, no `.`/`..` path segments. */
export const EXEC_ID = /^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,255}$/;

/** Where a SecretRef reads from. */
export const SecretSource = Type.Union([Type.Literal('env'), Type.Literal('file'), Type.Literal('exec')]);
export type SecretSource = Static<typeof SecretSource>;

/** `{source, provider?, id}`: a reference to a credential kept outside the config. */
export const SecretRef = Type.Object(
  { source: SecretSource, provider: Type.Optional(Type.String({ pattern: PROVIDER_ALIAS })), id: NonEmpty },
  { ...Closed, title: 'SecretRef {source, provider?, id}' },
);
export type SecretRef = Static<typeof SecretRef>;

/** A credential field: plaintext (or `${ENV}` shorthand) or a SecretRef. */
export const SecretInput = Type.Union([NonEmpty, SecretRef]);
export type SecretInput = Static<typeof SecretInput>;

const Timeout = Type.Integer({ minimum: 1, maximum: 120_000 });
const Bytes = Type.Integer({ minimum: 1, maximum: 16 * 1024 * 1024 });

/** `secrets.providers.<alias>` with `source: "env"`: an optional exact-name allowlist. */
export const EnvSecretProvider = Type.Object({ source: Type.Literal('env'), allowlist: Type.Optional(Type.Array(NonEmpty)) }, Closed);
/** `source: "file"`: a private regular file, a JSON object (ids are JSON pointers) or one raw value (`id: "value"`). */
export const FileSecretProvider = Type.Object(
  {
    source: Type.Literal('file'),
    path: NonEmpty,
    mode: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('singleValue')])),
    timeoutMs: Type.Optional(Timeout),
    maxBytes: Type.Optional(Bytes),
  },
  Closed,
);
/** `source: "exec"`: an absolute binary run without a shell, JSON request on stdin, values on stdout. */
export const ExecSecretProvider = Type.Object(
  {
    source: Type.Literal('exec'),
    command: NonEmpty,
    args: Type.Optional(Type.Array(Type.String())),
    env: Type.Optional(Type.Record(Type.String(), Type.String())),
    passEnv: Type.Optional(Type.Array(NonEmpty)),
    jsonOnly: Type.Optional(Type.Boolean()),
    timeoutMs: Type.Optional(Timeout),
    noOutputTimeoutMs: Type.Optional(Timeout),
    maxOutputBytes: Type.Optional(Bytes),
    trustedDirs: Type.Optional(Type.Array(NonEmpty)),
  },
  Closed,
);
export const SecretProvider = Type.Union([EnvSecretProvider, FileSecretProvider, ExecSecretProvider]);
export type SecretProvider = Static<typeof SecretProvider>;

/** `secrets.*` of `openclaw.json`. */
export const SecretsSection = Type.Object(
  {
    providers: Type.Optional(Type.Record(Type.String({ pattern: PROVIDER_ALIAS }), SecretProvider)),
    defaults: Type.Optional(
      Type.Object(
        {
          env: Type.Optional(Type.String({ pattern: PROVIDER_ALIAS })),
          file: Type.Optional(Type.String({ pattern: PROVIDER_ALIAS })),
          exec: Type.Optional(Type.String({ pattern: PROVIDER_ALIAS })),
        },
        Closed,
      ),
    ),
  },
  Closed,
);
export type SecretsSection = Static<typeof SecretsSection>;

/** What set off a resolution: the start, `secrets.reload`, or a changed config file. */
export const SecretsTrigger = Type.Union([Type.Literal('start'), Type.Literal('reload'), Type.Literal('config')]);
export type SecretsTrigger = Static<typeof SecretsTrigger>;

/** Journal payloads (stream `system`): outcomes only, never a value. */
export const SecretsFactPayloads = {
  /** Every ref resolved; the snapshot was swapped. `changed` names the config paths whose value differs. */
  'secrets.reloaded': Type.Object(
    { trigger: SecretsTrigger, refs: Type.Integer({ minimum: 0 }), changed: Type.Array(Type.String()) },
    Closed,
  ),
  /** A ref could not be resolved; the previous snapshot stays. */
  'secrets.reload.failed': Type.Object({ trigger: SecretsTrigger, path: Type.String(), reason: Type.String() }, Closed),
} as const;
