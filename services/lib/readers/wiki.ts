import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import bz2 from 'unbzip2-stream';
import wtf from 'wtf_wikipedia';
import type { ReadItem } from './types.ts';

/**
 * A MediaWiki pages-articles XML dump, plain or .bz2, streamed page by page. The encoding is taken from the
 * byte-order mark (UTF-16LE/BE dumps exist, e.g. the bundled bgwiki excerpt), otherwise UTF-8. Articles
 * (namespace 0) that are not redirects become documents; wtf_wikipedia turns their wikitext into plain text.
 */
export async function* readWikiDump(file: string, name: string): AsyncGenerator<ReadItem> {
  const compressed = await isBzip2(file);
  const raw = fs.createReadStream(file);
  // unbzip2-stream is a classic stream: piping it through a PassThrough makes it async-iterable
  const stream: Readable = compressed ? raw.pipe(bz2()).pipe(new PassThrough()) : raw;
  let decoder: InstanceType<typeof TextDecoder> | undefined;
  let buffer = '';
  let base = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    decoder ??= new TextDecoder(encodingOf(chunk), { ignoreBOM: false });
    buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
    if (!base) base = /<base>([^<]+)<\/base>/.exec(buffer)?.[1] ?? '';
    let end: number;
    while ((end = buffer.indexOf('</page>')) >= 0) {
      const start = buffer.indexOf('<page>');
      const page = buffer.slice(start >= 0 && start < end ? start : 0, end);
      buffer = buffer.slice(end + '</page>'.length);
      yield pageItem(page, name, base);
    }
    yield { kind: 'progress', bytes: raw.bytesRead };
  }
}

function pageItem(page: string, name: string, base: string): ReadItem {
  const title = unescapeXml(/<title>([\s\S]*?)<\/title>/.exec(page)?.[1] ?? '');
  const ns = /<ns>(\d+)<\/ns>/.exec(page)?.[1] ?? '0';
  const id = /<id>(\d+)<\/id>/.exec(page)?.[1] ?? '';
  if (ns !== '0') return { kind: 'skip', reason: 'wiki_non_article' };
  if (/<redirect\b/.test(page)) return { kind: 'skip', reason: 'wiki_redirect' };
  const wikitext = unescapeXml(/<text\b[^>]*>([\s\S]*?)<\/text>/.exec(page)?.[1] ?? '');
  if (!wikitext.trim()) return { kind: 'skip', reason: 'wiki_empty' };
  let text: string;
  try {
    const doc = wtf(wikitext);
    if (doc.isRedirect()) return { kind: 'skip', reason: 'wiki_redirect' };
    text = doc.text();
  } catch (error) {
    return { kind: 'error', error: { file: name, message: `page ${id} (${title}): cannot parse wikitext: ${(error as Error).message}` } };
  }
  const url = base ? new URL(`/wiki/${encodeURIComponent(title.replace(/ /g, '_'))}`, base).toString() : '';
  return { kind: 'doc', doc: { source_kind: 'wikipedia', source_uri: `${name}#page=${id}`, url, title, content_type: 'text/plain', body: text } };
}

function encodingOf(first: Buffer): string {
  if (first[0] === 0xff && first[1] === 0xfe) return 'utf-16le';
  if (first[0] === 0xfe && first[1] === 0xff) return 'utf-16be';
  // UTF-16 without a BOM: '<' followed by a zero byte
  if (first[0] === 0x3c && first[1] === 0x00) return 'utf-16le';
  if (first[0] === 0x00 && first[1] === 0x3c) return 'utf-16be';
  return 'utf-8';
}

async function isBzip2(file: string): Promise<boolean> {
  if (path.extname(file) === '.bz2') return true;
  const handle = await fs.promises.open(file, 'r');
  try {
    const { buffer } = await handle.read(Buffer.alloc(3), 0, 3, 0);
    return buffer.toString('latin1') === 'BZh';
  } finally {
    await handle.close();
  }
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, ref: string) => {
    if (ref[0] === '#') return String.fromCodePoint(ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10));
    return ENTITIES[ref] ?? whole;
  });
}
