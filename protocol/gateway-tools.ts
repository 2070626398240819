/** A tool the gateway offers models and `/tools/invoke`: its name, what it does, and its JSON Schema arguments. */
export interface GatewayToolSpec {
  readonly name: string;
  readonly description: string;
  readonly parameters: Record<string, unknown>;
}

/** The gateway-native tools offered to every model: read-only views of the running gateway. */
export const GATEWAY_TOOL_SPECS: readonly GatewayToolSpec[] = [
  {
    name: 'presence_roster',
    description: 'Lists the clients and nodes connected to the gateway right now (host, mode, reason, last input).',
    parameters: { type: 'object', properties: {}, additionalProperties: false },
  },
  {
    name: 'gateway_status',
    description: 'Summarises the gateway: version, uptime, connections, agents, active runs.',
    parameters: { type: 'object', properties: {}, additionalProperties: false },
  },
  {
    name: 'session_history',
    description: 'Returns the latest messages of the current session transcript, oldest first.',
    parameters: {
      type: 'object',
      properties: { limit: { type: 'integer', minimum: 1, maximum: 200, description: 'How many messages (default 20).' } },
      additionalProperties: false,
    },
  },
];
