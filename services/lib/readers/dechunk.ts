/**
 * Decodes an HTTP/1.1 chunked body, or returns undefined when `bytes` is not valid chunked framing. Web
 * archives hold both: bodies that really are chunked, and bodies a crawler already de-chunked while keeping
 * the `Transfer-Encoding: chunked` header. Only a body that parses as chunks all the way to the final
 * zero-size chunk is treated as chunked.
 */
export function dechunk(bytes: Uint8Array): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  let pos = 0;
  let total = 0;
  for (;;) {
    const eol = bytes.indexOf(0x0a, pos);
    if (eol < 0 || eol - pos > 32) return undefined;
    const header = Buffer.from(bytes.subarray(pos, eol)).toString('latin1').replace(/\r$/, '');
    const sizeText = header.split(';')[0].trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) return undefined;
    const size = parseInt(sizeText, 16);
    pos = eol + 1;
    if (size === 0) break;
    if (pos + size > bytes.length) return undefined;
    parts.push(bytes.subarray(pos, pos + size));
    total += size;
    pos += size;
    if (bytes[pos] === 0x0d && bytes[pos + 1] === 0x0a) pos += 2;
    else if (bytes[pos] === 0x0a) pos += 1;
    else return undefined;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
