/**
 * CRC-64-AVRO (the Rabin fingerprint of the Avro specification), used by single-object encoding to name the
 * writer schema in 8 bytes. avsc only offers crypto hashes (md5, sha256), so this one is ours.
 */
const EMPTY = 0xc15d213aa4d7a795n;
const MASK = 0xffffffffffffffffn;

const TABLE: bigint[] = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
  return fp & MASK;
});

export function rabinFingerprint64(text: string): bigint {
  let fp = EMPTY;
  for (const byte of Buffer.from(text, 'utf8')) fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(byte)) & 0xffn)];
  return fp & MASK;
}

/** The fingerprint as single-object encoding writes it: 8 bytes, little-endian. */
export function fingerprintBytes(fp: bigint): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64LE(fp);
  return buf;
}
