import { Type, type Static } from '@sinclair/typebox';
import { compile } from './ajv.js';
import { AgentsSection, ModelsSection, SessionSection } from './config-agents.js';

/** `gateway.*` keys of `openclaw.json`. Unknown keys elsewhere are kept (other features own them). */
export const GatewaySection = Type.Object(
  {
    mode: Type.Optional(Type.Union([Type.Literal('local'), Type.Literal('remote')])),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    bind: Type.Optional(
      Type.Union([Type.Literal('loopback'), Type.Literal('lan'), Type.Literal('tailnet'), Type.Literal('auto'), Type.Literal('custom')]),
    ),
    customBindHost: Type.Optional(Type.String({ minLength: 1 })),
    auth: Type.Optional(
      Type.Object(
        {
          mode: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('token'), Type.Literal('password'), Type.Literal('trusted-proxy')])),
          token: Type.Optional(Type.String({ minLength: 1 })),
          password: Type.Optional(Type.String({ minLength: 1 })),
        },
        { additionalProperties: true },
      ),
    ),
    journal: Type.Optional(
      Type.Object({ synchronous: Type.Optional(Type.Union([Type.Literal('normal'), Type.Literal('full')])) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: true },
);

/** The config file (JSON5). */
export const GatewayFileConfig = Type.Object(
  {
    gateway: Type.Optional(GatewaySection),
    agents: Type.Optional(AgentsSection),
    models: Type.Optional(ModelsSection),
    session: Type.Optional(SessionSection),
  },
  { additionalProperties: true },
);
export type GatewayFileConfig = Static<typeof GatewayFileConfig>;
export const isGatewayFileConfig = compile(GatewayFileConfig);
