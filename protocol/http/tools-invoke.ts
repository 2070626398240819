import { Type, type Static } from '@sinclair/typebox';
import { compile } from '../ajv.js';

/** `POST /tools/invoke` (PROTOCOL.md §9.4). */

/** The body: `name` wins over `tool`; `dryRun` is accepted and ignored. */
export const ToolsInvokeRequest = Type.Object(
  {
    tool: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    action: Type.Optional(Type.String()),
    args: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    sessionKey: Type.Optional(Type.String()),
    agentId: Type.Optional(Type.String()),
    idempotencyKey: Type.Optional(Type.String()),
    dryRun: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true },
);
export type ToolsInvokeRequest = Static<typeof ToolsInvokeRequest>;
export const isToolsInvokeRequest = compile(ToolsInvokeRequest);

/** What a tool returns: text parts for the model, plus structured `details` for programs. */
export const ToolResult = Type.Object({
  content: Type.Array(Type.Object({ type: Type.Literal('text'), text: Type.String() })),
  details: Type.Optional(Type.Unknown()),
});
export type ToolResult = Static<typeof ToolResult>;

/** Failure types of `/tools/invoke`, as the official gateway names them. */
export const ToolsInvokeErrorType = Type.Union([
  Type.Literal('invalid_request'),
  Type.Literal('not_found'),
  Type.Literal('forbidden'),
  Type.Literal('tool_error'),
  Type.Literal('internal_error'),
]);
export type ToolsInvokeErrorType = Static<typeof ToolsInvokeErrorType>;

export const ToolsInvokeResponse = Type.Union([
  Type.Object({ ok: Type.Literal(true), result: ToolResult }),
  Type.Object({ ok: Type.Literal(false), error: Type.Object({ type: ToolsInvokeErrorType, message: Type.String() }) }),
]);
export type ToolsInvokeResponse = Static<typeof ToolsInvokeResponse>;
