import { Type, type Static } from '@sinclair/typebox';
import { compile } from '../ajv.js';

/**
 * The OpenAI-compatible HTTP surface (PROTOCOL.md §9.3): request bodies as clients send them
 * (open objects: OpenAI SDKs add fields freely) and the bodies we answer with.
 */

/** `{"error":{"message","type"}}`: every /v1 failure, as OpenAI clients parse it. */
export const OpenAiErrorBody = Type.Object({
  error: Type.Object({ message: Type.String(), type: Type.String(), code: Type.Optional(Type.Union([Type.String(), Type.Null()])) }),
});
export type OpenAiErrorBody = Static<typeof OpenAiErrorBody>;

/** One entry of `GET /v1/models`. */
export const OpenAiModel = Type.Object({
  id: Type.String({ minLength: 1 }),
  object: Type.Literal('model'),
  created: Type.Integer(),
  owned_by: Type.Literal('openclaw'),
  permission: Type.Array(Type.Unknown()),
});
export type OpenAiModel = Static<typeof OpenAiModel>;

export const OpenAiModelList = Type.Object({ object: Type.Literal('list'), data: Type.Array(OpenAiModel) });
export type OpenAiModelList = Static<typeof OpenAiModelList>;

/** One chat message; `content` is a string or a list of parts (`text`, `input_text`, `image_url`…). */
export const ChatMessage = Type.Object(
  {
    role: Type.String({ minLength: 1 }),
    content: Type.Optional(Type.Union([Type.String(), Type.Array(Type.Unknown()), Type.Null()])),
    name: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export type ChatMessage = Static<typeof ChatMessage>;

/** `POST /v1/chat/completions` body (sampling fields are accepted and left to the provider). */
export const ChatCompletionRequest = Type.Object(
  {
    model: Type.Optional(Type.String()),
    messages: Type.Array(ChatMessage),
    stream: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    stream_options: Type.Optional(
      Type.Union([Type.Object({ include_usage: Type.Optional(Type.Boolean()) }, { additionalProperties: true }), Type.Null()]),
    ),
    user: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export type ChatCompletionRequest = Static<typeof ChatCompletionRequest>;
export const isChatCompletionRequest = compile(ChatCompletionRequest);

const Usage = Type.Object({ prompt_tokens: Type.Integer(), completion_tokens: Type.Integer(), total_tokens: Type.Integer() });

/** Non-streamed answer of `POST /v1/chat/completions`. */
export const ChatCompletion = Type.Object({
  id: Type.String(),
  object: Type.Literal('chat.completion'),
  created: Type.Integer(),
  model: Type.String(),
  choices: Type.Array(
    Type.Object({
      index: Type.Integer(),
      message: Type.Object({ role: Type.Literal('assistant'), content: Type.String() }),
      finish_reason: Type.Literal('stop'),
    }),
  ),
  usage: Usage,
});
export type ChatCompletion = Static<typeof ChatCompletion>;

/** One `data:` chunk of a streamed chat completion. */
export const ChatCompletionChunk = Type.Object({
  id: Type.String(),
  object: Type.Literal('chat.completion.chunk'),
  created: Type.Integer(),
  model: Type.String(),
  choices: Type.Array(
    Type.Object({
      index: Type.Integer(),
      delta: Type.Object({ role: Type.Optional(Type.Literal('assistant')), content: Type.Optional(Type.String()) }),
      finish_reason: Type.Union([Type.Literal('stop'), Type.Null()]),
    }),
  ),
  usage: Type.Optional(Usage),
});
export type ChatCompletionChunk = Static<typeof ChatCompletionChunk>;

/** `POST /v1/embeddings` body. */
export const EmbeddingsRequest = Type.Object(
  {
    model: Type.String(),
    input: Type.Union([Type.String(), Type.Array(Type.String())]),
    encoding_format: Type.Optional(Type.Union([Type.Literal('float'), Type.Literal('base64')])),
    dimensions: Type.Optional(Type.Integer({ minimum: 1 })),
    user: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export type EmbeddingsRequest = Static<typeof EmbeddingsRequest>;
export const isEmbeddingsRequest = compile(EmbeddingsRequest);

/** Answer of `POST /v1/embeddings`; `embedding` is base64 of little-endian float32 when asked. */
export const EmbeddingList = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(
    Type.Object({ object: Type.Literal('embedding'), index: Type.Integer(), embedding: Type.Union([Type.Array(Type.Number()), Type.String()]) }),
  ),
  model: Type.String(),
  usage: Type.Object({ prompt_tokens: Type.Integer(), total_tokens: Type.Integer() }),
});
export type EmbeddingList = Static<typeof EmbeddingList>;
