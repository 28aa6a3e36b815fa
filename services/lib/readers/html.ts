import fs from 'node:fs/promises';
import type { ReadItem } from './types.ts';
import { sniffCharset } from './warc.ts';

/** One HTML page per file, decoded by its declared charset; cleaning happens in the ingest stage (so it scales with the consumer group). */
export async function* readHtml(file: string, name: string): AsyncGenerator<ReadItem> {
  const bytes = await fs.readFile(file);
  let body: string;
  try {
    body = new TextDecoder(sniffCharset(bytes) ?? 'utf-8').decode(bytes);
  } catch {
    body = bytes.toString('utf8');
  }
  const canonical = body.match(/<link[^>]+rel=["']canonical["'][^>]*href=["']([^"']+)["']/i)?.[1] ?? '';
  yield { kind: 'doc', doc: { source_kind: 'html', source_uri: name, url: canonical, title: '', content_type: 'text/html', body } };
  yield { kind: 'progress', bytes: bytes.length };
}
