import fs from 'node:fs';
import zlib from 'node:zlib';
import { WARCParser } from 'warcio';
import { dechunk } from './dechunk.ts';
import type { ReadItem } from './types.ts';

/**
 * WARC (optionally gzipped, per record): every `response` record with an HTML (or plain text) payload
 * becomes a document. The HTTP body is decoded here, not by warcio, so that both a truly chunked body and a
 * de-chunked body that kept its chunked header come out right; then Content-Encoding and the charset.
 */
export async function* readWarc(file: string, name: string): AsyncGenerator<ReadItem> {
  const parser = new WARCParser(fs.createReadStream(file));
  for await (const record of parser) {
    const offset = parser.offset;
    if (record.warcType !== 'response' || !record.httpHeaders) {
      await record.skipFully();
      continue;
    }
    const headers = record.httpHeaders.headers;
    const contentType = headers.get('content-type') ?? '';
    const mime = contentType.split(';')[0].trim().toLowerCase();
    if (mime && !/^(text\/html|application\/xhtml\+xml|text\/plain)$/.test(mime)) {
      await record.skipFully();
      yield { kind: 'skip', reason: `warc_${mime.replace(/\W+/g, '_')}` };
      continue;
    }
    try {
      const body = decodeHttpBody(await record.readFully(false), headers.get('transfer-encoding') ?? null, headers.get('content-encoding') ?? null, contentType);
      yield {
        kind: 'doc',
        doc: {
          source_kind: 'warc',
          source_uri: `${name}@${offset}`,
          url: record.warcTargetURI ?? '',
          title: '',
          content_type: mime === 'text/plain' ? 'text/plain' : 'text/html',
          body,
        },
      };
    } catch (error) {
      yield { kind: 'error', error: { file: name, message: `record at offset ${offset} (${record.warcTargetURI}): ${(error as Error).message}` } };
    }
    yield { kind: 'progress', bytes: offset };
  }
  yield { kind: 'progress', bytes: fs.statSync(file).size };
}

export function decodeHttpBody(raw: Uint8Array, transferEncoding: string | null, contentEncoding: string | null, contentType: string): string {
  let bytes = raw;
  if (transferEncoding?.toLowerCase().includes('chunked')) bytes = dechunk(raw) ?? raw;
  const encoding = contentEncoding?.toLowerCase().trim();
  if (encoding === 'gzip' || encoding === 'x-gzip') bytes = zlib.gunzipSync(bytes);
  else if (encoding === 'deflate') bytes = safeInflate(bytes);
  else if (encoding === 'br') bytes = zlib.brotliDecompressSync(bytes);
  const charset = /charset=["']?([\w-]+)/i.exec(contentType)?.[1] ?? sniffCharset(bytes) ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function safeInflate(bytes: Uint8Array): Uint8Array {
  try {
    return zlib.inflateSync(bytes);
  } catch {
    return zlib.inflateRawSync(bytes);
  }
}

/** The charset an HTML page declares in a meta tag, if any. */
export function sniffCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 2048)).toString('latin1');
  return /<meta[^>]+charset=["']?([\w-]+)/i.exec(head)?.[1];
}
