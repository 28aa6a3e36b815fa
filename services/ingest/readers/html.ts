import fs from 'node:fs/promises';
import type { ReadItem } from './types.ts';

/** One HTML page per file; cleaning happens in the ingest stage (so it scales with the consumer group). */
export async function* readHtml(file: string, name: string): AsyncGenerator<ReadItem> {
  const body = await fs.readFile(file, 'utf8');
  const canonical = body.match(/<link[^>]+rel=["']canonical["'][^>]*href=["']([^"']+)["']/i)?.[1] ?? '';
  yield { kind: 'doc', doc: { source_kind: 'html', source_uri: name, url: canonical, title: '', content_type: 'text/html', body } };
  yield { kind: 'progress', bytes: Buffer.byteLength(body) };
}
