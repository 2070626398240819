/**
 * WebSocket protocol violations over raw TCP (RFC 6455 §5.1, §5.2, §5.5, §7.4, §8.1), asserted as
 * each transport really behaves (README, Resource bounds): `ws` closes with 1002 / 1007 and a
 * close frame; uWebSockets.js drops the TCP connection without one, answers a bad close payload
 * with an empty close frame, and reads an unmasked frame as if it were masked.
 */
import { describe, expect, it } from 'vitest';
import { useSharedGateway } from '../helpers/shared-gateway.js';
import { framesAfterUpgrade, rawExchange, upgradeRequest, wsFrame, type RawExchange } from '../helpers/raw-http.js';

const HANDSHAKE_TIMEOUT_MS = 1000;
const { gateway } = useSharedGateway({ env: { OPENCLAW_HANDSHAKE_TIMEOUT_MS: String(HANDSHAKE_TIMEOUT_MS) } });
const transport = (): 'uws' | 'ws' => {
  const kind = /"transport":"(uws|ws)"/.exec(gateway.output())?.[1];
  if (kind !== 'uws' && kind !== 'ws') throw new Error('the gateway did not say which transport it runs');
  return kind;
};

const TEXT = 0x1;
const CLOSE = 0x8;

/** Upgrades a raw socket, waits for the challenge event, then writes `bytes`. */
async function upgradedThen(bytes: Buffer): Promise<RawExchange> {
  const exchange = await rawExchange(gateway.port, upgradeRequest());
  await exchange.waitFor(/^HTTP\/1.1 101 [^]*\r\n\r\n[^]*connect\.challenge/, 5000);
  exchange.socket.write(bytes);
  return exchange;
}

/** Waits for the server to end the connection; returns the close frame it sent, if any. */
async function ending(exchange: RawExchange): Promise<{ closeFrame: boolean; code: number | undefined; texts: number }> {
  await exchange.closed(5000);
  const frames = framesAfterUpgrade(exchange);
  const close = frames.find((frame) => frame.opcode === CLOSE);
  return { closeFrame: close !== undefined, code: close?.code, texts: frames.filter((frame) => frame.opcode === TEXT).length };
}

describe('WebSocket protocol violations', () => {
  const violations: Array<[string, Buffer, number]> = [
    ['an RSV1 bit without a negotiated extension', wsFrame(TEXT, Buffer.from('{}'), { rsv: 0x40 }), 1002],
    ['an RSV2 bit', wsFrame(TEXT, Buffer.from('{}'), { rsv: 0x20 }), 1002],
    ['a reserved data opcode (0x3)', wsFrame(0x3, Buffer.from('{}')), 1002],
    ['a reserved control opcode (0xB)', wsFrame(0xb, Buffer.alloc(0)), 1002],
    ['a fragmented ping', wsFrame(0x9, Buffer.from('x'), { fin: false }), 1002],
    ['a continuation frame without a start', wsFrame(0x0, Buffer.from('x')), 1002],
    ['invalid UTF-8 in a text frame', wsFrame(TEXT, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 1007],
  ];
  for (const [what, frame, code] of violations) {
    it(`ends the connection on ${what}: close ${code} with ws, a bare TCP close with uWS`, async () => {
      const result = await ending(await upgradedThen(frame));
      expect(result.texts).toBe(1); // the challenge, nothing in answer to the bad frame
      if (transport() === 'ws') expect(result).toMatchObject({ closeFrame: true, code });
      else expect(result.closeFrame).toBe(false);
    });
  }

  for (const [what, payload] of [
    ['a one-byte close payload', Buffer.from([0x03])],
    ['close code 999', Buffer.from([0x03, 0xe7])],
  ] as const) {
    it(`answers ${what} with close 1002 (ws) or an empty close frame (uWS)`, async () => {
      const result = await ending(await upgradedThen(wsFrame(CLOSE, payload)));
      expect(result.closeFrame || transport() === 'uws').toBe(true);
      if (transport() === 'ws') expect(result.code).toBe(1002);
      else expect(result.code).toBeUndefined(); // a close frame with no status, or none at all
    });
  }

  it('echoes a valid close 1000 on both transports', async () => {
    const result = await ending(await upgradedThen(wsFrame(CLOSE, Buffer.from([0x03, 0xe8]))));
    expect(result).toMatchObject({ closeFrame: true, code: 1000 });
  });

  it('rejects an unmasked client frame with 1002 (ws); uWS reads it as masked and never sees a request', async () => {
    const request = Buffer.from(JSON.stringify({ type: 'req', id: 'u1', method: 'health' }));
    const exchange = await upgradedThen(wsFrame(TEXT, request, { mask: false }));
    const result = await ending(exchange);
    if (transport() === 'ws') {
      expect(result).toMatchObject({ closeFrame: true, code: 1002, texts: 1 });
    } else {
      // uWS takes the first four payload bytes as the mask key and waits for four more bytes that
      // never come: no answer, and the socket ends only at the handshake deadline (close 1000).
      expect(result).toMatchObject({ closeFrame: true, code: 1000, texts: 1 });
    }
  });
});
