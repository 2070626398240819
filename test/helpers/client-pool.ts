import { RawClient, connectClient, connectParams, type Frame, type RawClientOptions } from './raw-client.js';

/** Client info of a tracked test client (mode `test` gets a presence row; `cli` does not). */
export const TEST_CLIENT = { id: 'test', version: 'e2e', platform: 'linux', mode: 'test' } as const;

/** Sockets opened by one test; `closeAll()` in afterEach terminates every one of them. */
export class ClientPool {
  private readonly clients: RawClient[] = [];

  constructor(private readonly url: () => string) {}

  /** Opens a raw socket (no connect sent). */
  async open(options: RawClientOptions = {}): Promise<RawClient> {
    const client = await RawClient.open(this.url(), options);
    this.clients.push(client);
    return client;
  }

  /** Opens a socket, waits for the challenge, connects with `connectParams(overrides, token)`. */
  async connect(overrides: Record<string, unknown> = {}, token?: string): Promise<{ client: RawClient; hello: Hello }> {
    const { client, hello } = await connectClient(this.url(), overrides, token);
    this.clients.push(client);
    return { client, hello: hello as unknown as Hello };
  }

  /** Opens a socket, waits for the challenge, sends `connect` with `params`; returns the client and the response. */
  async attempt(params: Record<string, unknown>): Promise<{ client: RawClient; res: Frame }> {
    const client = await this.open();
    await client.event('connect.challenge');
    const res = await client.call('connect', params);
    return { client, res };
  }

  closeAll(): void {
    for (const client of this.clients.splice(0)) client.close();
  }
}

/** `hello-ok` as the tests read it. */
export interface Hello {
  type: string;
  protocol: number;
  server: { version: string; connId: string; bootId?: string };
  features: { methods: string[]; events: string[] };
  snapshot: {
    presence: Array<Record<string, unknown>>;
    health: Record<string, unknown>;
    stateVersion: { presence: number; health: number };
    uptimeMs: number;
  };
  auth: { role: string; scopes: string[] };
  policy: { maxPayload: number; maxBufferedBytes: number; tickIntervalMs: number };
}

/** Connect params with the shared helper's defaults plus `overrides`. */
export const params = connectParams;
