import { Type, type Static } from '@sinclair/typebox';
import { SecretInput } from './secrets.js';

/*
 * The agent-run keys of `openclaw.json`: model providers, agents and session routing. Like the
 * rest of the config, sections keep unknown keys so a config written for the official gateway
 * (which has many more) still loads.
 *
 *   models.providers.<name>: { kind: "openai" | "anthropic" | "offline", baseUrl, apiKey, model }
 *   agents.defaults.model:   "<provider>/<model>" (or { primary: "<provider>/<model>" })
 *   agents.list[].model:     the same, per agent
 *
 * `api` ("openai-completions" | "anthropic-messages", the official spelling) is accepted in place
 * of `kind`, and `models: [{ id }]` in place of `model`.
 */

const Open = { additionalProperties: true } as const;
const NonEmpty = Type.String({ minLength: 1 });

/** `"<provider>/<model>"`, or the official `{ primary, fallbacks }` form (fallbacks are not used yet). */
export const ModelRef = Type.Union([NonEmpty, Type.Object({ primary: Type.Optional(NonEmpty), fallbacks: Type.Optional(Type.Array(NonEmpty)) }, Open)]);
export type ModelRef = Static<typeof ModelRef>;

/** Kinds of model provider the gateway speaks. */
export const ProviderKind = Type.Union([Type.Literal('openai'), Type.Literal('anthropic'), Type.Literal('offline')]);
export type ProviderKind = Static<typeof ProviderKind>;

/** One entry of `models.providers`. `apiKey` may be `${ENV_VAR}`; it is never logged. */
export const ProviderSection = Type.Object(
  {
    kind: Type.Optional(ProviderKind),
    api: Type.Optional(NonEmpty),
    baseUrl: Type.Optional(NonEmpty),
    apiKey: Type.Optional(SecretInput),
    model: Type.Optional(NonEmpty),
    models: Type.Optional(Type.Array(Type.Object({ id: NonEmpty }, Open))),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    maxRetries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
    maxTokens: Type.Optional(Type.Integer({ minimum: 1 })),
    /** Offline provider only: pause between streamed chunks. */
    delayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
  },
  Open,
);
export type ProviderSection = Static<typeof ProviderSection>;

/** `models.*`. */
export const ModelsSection = Type.Object({ providers: Type.Optional(Type.Record(Type.String(), ProviderSection)) }, Open);

/** `agents.*`: defaults and the agent list (the first `default: true` entry, else the first, is the default). */
export const AgentsSection = Type.Object(
  {
    defaults: Type.Optional(
      Type.Object(
        {
          workspace: Type.Optional(NonEmpty),
          model: Type.Optional(ModelRef),
          timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        Open,
      ),
    ),
    list: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: NonEmpty,
            name: Type.Optional(NonEmpty),
            default: Type.Optional(Type.Boolean()),
            workspace: Type.Optional(NonEmpty),
            model: Type.Optional(ModelRef),
          },
          Open,
        ),
      ),
    ),
  },
  Open,
);

/** `session.*`: how a message without a session key finds its session (only `dmScope` is read). */
export const SessionSection = Type.Object(
  {
    dmScope: Type.Optional(
      Type.Union([Type.Literal('main'), Type.Literal('per-peer'), Type.Literal('per-channel-peer'), Type.Literal('per-account-channel-peer')]),
    ),
  },
  Open,
);
export type SessionSection = Static<typeof SessionSection>;
