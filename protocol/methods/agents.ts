import { Type, type Static } from '@sinclair/typebox';

const NonEmpty = Type.String({ minLength: 1 });

/** `agents.list`: configured agents plus session defaults (the `openclaw agent` CLI needs it). */
export const AgentsListParams = Type.Object({}, { additionalProperties: false });
export const AgentsListResult = Type.Object({
  defaultId: NonEmpty,
  mainKey: NonEmpty,
  scope: Type.Union([Type.Literal('per-sender'), Type.Literal('global')]),
  agents: Type.Array(
    Type.Object({
      id: NonEmpty,
      name: Type.Optional(NonEmpty),
      workspace: Type.Optional(NonEmpty),
      model: Type.Optional(Type.Object({ primary: Type.Optional(NonEmpty) })),
    }),
  ),
});
export type AgentsListResult = Static<typeof AgentsListResult>;
