/**
 * The pairing QR WhatsApp hands out (`connection.update.qr`), drawn with `qrcode` (loaded only
 * when a login runs): a PNG data URL for `web.login.*` and block characters for the terminal.
 */

/** `data:image/png;base64,…` of the QR (small enough for `currentQrDataUrl`'s 16384 chars). */
export async function qrDataUrl(qr: string): Promise<string> {
  const { toDataURL } = await import('qrcode');
  return toDataURL(qr, { type: 'image/png', errorCorrectionLevel: 'L', margin: 1, scale: 4 });
}

/** The QR as text for a terminal (half-block characters, two modules per line). */
export async function qrTerminal(qr: string): Promise<string> {
  const { toString } = await import('qrcode');
  return toString(qr, { type: 'terminal', small: true, errorCorrectionLevel: 'L' });
}
