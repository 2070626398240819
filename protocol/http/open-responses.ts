import { Type, type Static } from '@sinclair/typebox';
import { compile } from '../ajv.js';

/** `POST /v1/responses` (PROTOCOL.md §9.3): the request, the response resource and its stream events. */

/** An input item: a message (`content` a string or parts such as `input_text`) or another item type. */
export const ResponseInputItem = Type.Object(
  {
    type: Type.Optional(Type.String()),
    role: Type.Optional(Type.String()),
    content: Type.Optional(Type.Union([Type.String(), Type.Array(Type.Unknown()), Type.Null()])),
    output: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: true },
);
export type ResponseInputItem = Static<typeof ResponseInputItem>;

export const CreateResponseRequest = Type.Object(
  {
    model: Type.Optional(Type.String()),
    input: Type.Union([Type.String(), Type.Array(ResponseInputItem)]),
    instructions: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    stream: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    user: Type.Optional(Type.String()),
    previous_response_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { additionalProperties: true },
);
export type CreateResponseRequest = Static<typeof CreateResponseRequest>;
export const isCreateResponseRequest = compile(CreateResponseRequest);

export const OutputText = Type.Object({ type: Type.Literal('output_text'), text: Type.String(), annotations: Type.Array(Type.Unknown()) });
export type OutputText = Static<typeof OutputText>;

const ItemStatus = Type.Union([Type.Literal('in_progress'), Type.Literal('completed'), Type.Literal('incomplete')]);

/** The assistant message of a response. */
export const OutputMessage = Type.Object({
  type: Type.Literal('message'),
  id: Type.String(),
  role: Type.Literal('assistant'),
  content: Type.Array(OutputText),
  phase: Type.Literal('final_answer'),
  status: ItemStatus,
});
export type OutputMessage = Static<typeof OutputMessage>;

export const ResponseUsage = Type.Object({
  input_tokens: Type.Integer(),
  output_tokens: Type.Integer(),
  total_tokens: Type.Integer(),
  input_tokens_details: Type.Object({ cached_tokens: Type.Integer() }),
  output_tokens_details: Type.Object({ reasoning_tokens: Type.Integer() }),
});
export type ResponseUsage = Static<typeof ResponseUsage>;

/** The response resource, in every state it passes through. */
export const ResponseResource = Type.Object({
  id: Type.String(),
  object: Type.Literal('response'),
  created_at: Type.Integer(),
  status: Type.Union([Type.Literal('in_progress'), Type.Literal('completed'), Type.Literal('incomplete'), Type.Literal('failed')]),
  model: Type.String(),
  output: Type.Array(OutputMessage),
  usage: Type.Union([ResponseUsage, Type.Null()]),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  incomplete_details: Type.Union([Type.Object({ reason: Type.String() }), Type.Null()]),
  previous_response_id: Type.Union([Type.String(), Type.Null()]),
  user: Type.Union([Type.String(), Type.Null()]),
});
export type ResponseResource = Static<typeof ResponseResource>;

const Seq = { sequence_number: Type.Integer({ minimum: 0 }) };
const At = { output_index: Type.Integer(), item_id: Type.String(), content_index: Type.Integer() };

/** One `event:`/`data:` pair of a streamed response, in the order they are sent. */
export const ResponseStreamEvent = Type.Union([
  Type.Object({ type: Type.Literal('response.created'), ...Seq, response: ResponseResource }),
  Type.Object({ type: Type.Literal('response.in_progress'), ...Seq, response: ResponseResource }),
  Type.Object({ type: Type.Literal('response.output_item.added'), ...Seq, output_index: Type.Integer(), item: OutputMessage }),
  Type.Object({ type: Type.Literal('response.content_part.added'), ...Seq, ...At, part: OutputText }),
  Type.Object({ type: Type.Literal('response.output_text.delta'), ...Seq, ...At, delta: Type.String(), logprobs: Type.Array(Type.Unknown()) }),
  Type.Object({ type: Type.Literal('response.output_text.done'), ...Seq, ...At, text: Type.String(), logprobs: Type.Array(Type.Unknown()) }),
  Type.Object({ type: Type.Literal('response.content_part.done'), ...Seq, ...At, part: OutputText }),
  Type.Object({ type: Type.Literal('response.output_item.done'), ...Seq, output_index: Type.Integer(), item: OutputMessage }),
  Type.Object({ type: Type.Literal('response.completed'), ...Seq, response: ResponseResource }),
  Type.Object({ type: Type.Literal('response.incomplete'), ...Seq, response: ResponseResource }),
  Type.Object({ type: Type.Literal('response.failed'), ...Seq, response: ResponseResource }),
]);
export type ResponseStreamEvent = Static<typeof ResponseStreamEvent>;
