import type { TSchema } from '@sinclair/typebox';
import { RequestFrame, ResponseFrame, EventFrame, ErrorShape, StateVersion } from './frames.js';
import { ConnectParams, ConnectChallenge, HelloOk, Snapshot } from './connect.js';
import { PresenceEntry } from './presence.js';
import { HealthSnapshot } from './health.js';
import { TickEvent, ShutdownEvent, PresenceEvent } from './events.js';
import { FactPayloads } from './facts.js';
import { METHODS } from './registry.js';

/** Strips TypeBox's symbol keys by a JSON round trip. */
const plain = (schema: TSchema): unknown => JSON.parse(JSON.stringify(schema));

/** The JSON Schema document of our wire protocol (frames, handshake, methods, events, facts). */
export function buildProtocolSchema(): Record<string, unknown> {
  const definitions: Record<string, unknown> = {
    RequestFrame: plain(RequestFrame),
    ResponseFrame: plain(ResponseFrame),
    EventFrame: plain(EventFrame),
    ErrorShape: plain(ErrorShape),
    StateVersion: plain(StateVersion),
    ConnectParams: plain(ConnectParams),
    ConnectChallenge: plain(ConnectChallenge),
    HelloOk: plain(HelloOk),
    Snapshot: plain(Snapshot),
    PresenceEntry: plain(PresenceEntry),
    HealthSnapshot: plain(HealthSnapshot),
    TickEvent: plain(TickEvent),
    ShutdownEvent: plain(ShutdownEvent),
    PresenceEvent: plain(PresenceEvent),
  };
  const methods: Record<string, unknown> = {};
  for (const spec of METHODS.values()) {
    methods[spec.name] = { scope: spec.scope, role: spec.role, kind: spec.kind, description: spec.description, params: plain(spec.params), result: plain(spec.result) };
  }
  const facts: Record<string, unknown> = {};
  for (const [type, schema] of Object.entries(FactPayloads)) facts[type] = plain(schema);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'OpenClaw Gateway Protocol (actor runtime)',
    oneOf: [{ $ref: '#/definitions/RequestFrame' }, { $ref: '#/definitions/ResponseFrame' }, { $ref: '#/definitions/EventFrame' }],
    methods,
    facts,
    definitions,
  };
}
