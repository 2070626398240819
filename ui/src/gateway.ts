import { deviceIdentity, devicePayloadV3, sign } from './device';

/*
 * The UI's one WebSocket to the gateway: challenge → signed connect → hello-ok, then requests by
 * id and events to listeners. It reconnects with backoff (0.8 s × 1.7, at most 15 s) and tells
 * listeners each time it is connected again, so pages can catch up.
 */

export type Phase = 'connecting' | 'connected' | 'disconnected' | 'refused';

export interface Hello {
  readonly server: { version: string; connId: string };
  readonly features: { methods: string[]; events: string[] };
  readonly snapshot: { presence: unknown[]; health: unknown; sessionDefaults?: { mainSessionKey?: string; defaultAgentId?: string } };
  readonly auth: { role: string; scopes: string[] };
}

export interface GatewayEvent {
  readonly event: string;
  readonly payload: any;
  readonly seq?: number;
}

export class RpcError extends Error {
  constructor(readonly code: string, message: string, readonly details?: unknown) {
    super(message);
  }
}

const CLIENT = { id: 'openclaw-control-ui', mode: 'webchat', version: '0.1.0' } as const;
const SCOPES = ['operator.admin', 'operator.read', 'operator.write', 'operator.approvals', 'operator.pairing'];

/** The WebSocket URL of the gateway that served this page. */
export const gatewayUrl = (): string => {
  const base = document.documentElement.dataset.openclawControlUiBasePath ?? '';
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${base}/`;
};

const tokenKey = () => `openclaw.control.token.v1:${gatewayUrl()}`;

/** Takes `#token=` out of the URL into sessionStorage; returns the token to use. */
export function takeToken(): string | undefined {
  const hash = new URLSearchParams(location.hash.slice(1));
  const fromUrl = hash.get('token');
  if (fromUrl) {
    sessionStorage.setItem(tokenKey(), fromUrl);
    hash.delete('token');
    const rest = hash.toString();
    history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
  }
  return sessionStorage.getItem(tokenKey()) ?? undefined;
}

export function saveToken(token: string): void {
  sessionStorage.setItem(tokenKey(), token);
}

type Pending = { resolve: (v: any) => void; reject: (e: Error) => void };

export class GatewayClient {
  phase: Phase = 'connecting';
  hello: Hello | undefined;
  lastError = '';
  private ws: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly eventListeners = new Set<(e: GatewayEvent) => void>();
  private readonly stateListeners = new Set<() => void>();
  private backoff = 800;
  private stopped = false;

  constructor(private token: string | undefined) {}

  start(): void {
    this.open();
  }

  setToken(token: string): void {
    this.token = token;
    saveToken(token);
    this.backoff = 800;
    this.ws?.close();
    if (this.phase === 'refused') this.open();
  }

  /** Drops the socket (it reconnects by itself), e.g. to test catching up. */
  drop(): void {
    this.ws?.close();
  }

  onEvent(listener: (e: GatewayEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onState(listener: () => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  has(method: string): boolean {
    return this.hello?.features.methods.includes(method) ?? false;
  }

  request<T = any>(method: string, params: unknown = {}): Promise<T> {
    const ws = this.ws;
    if (!ws || this.phase !== 'connected') return Promise.reject(new RpcError('UNAVAILABLE', 'not connected'));
    const id = String(this.nextId++);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ type: 'req', id, method, params }));
    });
  }

  private setPhase(phase: Phase): void {
    this.phase = phase;
    for (const listener of this.stateListeners) listener();
  }

  private open(): void {
    if (this.stopped) return;
    this.setPhase('connecting');
    const ws = new WebSocket(gatewayUrl());
    this.ws = ws;
    ws.onmessage = (message) => void this.frame(ws, JSON.parse(String(message.data)));
    ws.onclose = (close) => {
      if (this.ws !== ws) return;
      for (const [, p] of this.pending) p.reject(new RpcError('UNAVAILABLE', 'connection closed'));
      this.pending.clear();
      this.hello = undefined;
      if (close.code === 1008 && this.phase !== 'connected') {
        this.lastError = close.reason || this.lastError || 'refused';
        this.setPhase('refused');
        return;
      }
      this.setPhase('disconnected');
      const delay = this.backoff;
      this.backoff = Math.min(15_000, this.backoff * 1.7);
      setTimeout(() => this.open(), delay);
    };
  }

  private async frame(ws: WebSocket, frame: any): Promise<void> {
    if (frame.type === 'event' && frame.event === 'connect.challenge') {
      await this.connect(ws, frame.payload.nonce as string, frame.payload.ts as number);
      return;
    }
    if (frame.type === 'event') {
      for (const listener of this.eventListeners) listener({ event: frame.event, payload: frame.payload, seq: frame.seq });
      return;
    }
    if (frame.type !== 'res') return;
    if (frame.id === 'connect') {
      if (frame.ok) {
        this.hello = frame.payload as Hello;
        this.lastError = '';
        this.backoff = 800;
        this.setPhase('connected');
      } else {
        this.lastError = `${frame.error?.message ?? 'connect failed'}${frame.error?.details?.code ? ` (${frame.error.details.code})` : ''}`;
      }
      return;
    }
    const pending = this.pending.get(frame.id);
    if (!pending) return;
    this.pending.delete(frame.id);
    if (frame.ok) pending.resolve(frame.payload);
    else pending.reject(new RpcError(frame.error?.code ?? 'ERROR', frame.error?.message ?? 'request failed', frame.error?.details));
  }

  private async connect(ws: WebSocket, nonce: string, ts: number): Promise<void> {
    const platform = navigator.platform || 'web';
    const client = { ...CLIENT, platform, instanceId: instanceId() };
    const identity = await deviceIdentity();
    const payload = devicePayloadV3({
      deviceId: identity.deviceId, clientId: client.id, clientMode: client.mode, role: 'operator', scopes: SCOPES,
      signedAt: ts, token: this.token, nonce, platform,
    });
    const device = { id: identity.deviceId, publicKey: identity.publicKey, signature: await sign(identity, payload), signedAt: ts, nonce };
    const params = {
      minProtocol: 3, maxProtocol: 4, client, role: 'operator', scopes: SCOPES, caps: ['tool-events'], device,
      ...(this.token ? { auth: { token: this.token } } : {}),
      userAgent: navigator.userAgent, locale: navigator.language,
    };
    ws.send(JSON.stringify({ type: 'req', id: 'connect', method: 'connect', params }));
  }
}

function instanceId(): string {
  const key = 'openclaw.control.instance';
  let id = sessionStorage.getItem(key);
  if (!id) {
    id = crypto.randomUUID();
    sessionStorage.setItem(key, id);
  }
  return id;
}
