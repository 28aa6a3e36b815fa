import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundled, knowledgeFixtures, warcWithBody } from '../../../test/fixtures/knowledge-corpus.ts';
import { dechunk } from './dechunk.ts';
import { expandInputs, readerFor, type ReadItem } from './index.ts';

async function readAll(file: string): Promise<ReadItem[]> {
  const items: ReadItem[] = [];
  for await (const item of readerFor(file)!(file, path.basename(file))) items.push(item);
  return items;
}
const docs = (items: ReadItem[]) => items.flatMap((i) => (i.kind === 'doc' ? [i.doc] : []));
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'fw-readers-'));
const PAGE = '<html><head><title>Test page</title></head><body><p>The Kestrel Valley Railway opened in 1889 and runs for 14 kilometres.</p></body></html>';

describe('readers', () => {
  it('JSONL: reports a malformed line with its number and reads the rest', async () => {
    const items = await readAll(path.join(knowledgeFixtures, 'malformed.jsonl'));
    expect(docs(items).map((d) => d.title)).toEqual(['Harbor Lighthouse', 'Ada Moreno', 'Port Calder']);
    const errors = items.flatMap((i) => (i.kind === 'error' ? [i.error] : []));
    expect(errors).toEqual([{ file: 'malformed.jsonl', line: 3, message: expect.stringMatching(/^invalid JSON/) }]);
  });

  it('JSONL: a QA corpus line becomes one document per paragraph; a line without text is an error', async () => {
    const dir = tmp();
    const file = path.join(dir, 'qa.jsonl');
    const original = { question: 'q', answer: 'a', context: [['Ed Wood', ['Ed Wood was a filmmaker. ', 'He directed films.']]] };
    fs.writeFileSync(file, [fs.readFileSync(bundled.hotpotqa, 'utf8').split('\n')[0], JSON.stringify(original), JSON.stringify({ title: 'no text' })].join('\n'));
    const items = await readAll(file);
    const read = docs(items);
    expect(read.slice(0, 10).every((d) => d.source_kind === 'qa' && d.source_uri.startsWith('qa.jsonl:1#p'))).toBe(true);
    expect(read[0].title).toBe('Liezel Huber');
    expect(read[10]).toMatchObject({ title: 'Ed Wood', body: 'Ed Wood was a filmmaker. He directed films.', source_uri: 'qa.jsonl:2#p0' });
    expect(items.find((i) => i.kind === 'error')).toMatchObject({ error: { line: 3, message: expect.stringContaining('no text') } });
  });

  // the bundled HotpotQA slice has 16 escaped entities ("Hall &amp; Oates"), which reached document titles and questions
  it('JSONL: decodes the HTML entities HotpotQA left in titles and text', async () => {
    const file = path.join(tmp(), 'qa.jsonl');
    const line = fs.readFileSync(bundled.hotpotqa, 'utf8').split('\n').find((l) => l.includes('"Hall &amp; Oates"'))!;
    fs.writeFileSync(file, `${line}\n${JSON.stringify({ context: [['Owens &amp; Minor', ['A &quot;Fortune 500&quot; company.']]] })}\n`);
    const read = docs(await readAll(file));
    expect(read.map((d) => d.title)).toContain('Hall & Oates');
    expect(read.at(-1)).toMatchObject({ title: 'Owens & Minor', body: 'A "Fortune 500" company.' });
    expect(read.some((d) => /&amp;|&quot;/.test(d.title + d.body))).toBe(false);
  });

  it('WARC: de-chunks the bundled truly chunked response', async () => {
    const [doc] = docs(await readAll(bundled.warc));
    expect(doc.url).toBe('http://www.iana.org/');
    expect(doc.content_type).toBe('text/html');
    expect(doc.body.startsWith('<!doctype html>')).toBe(true);
    expect(doc.body).not.toMatch(/^[0-9a-f]+\r\n/m);
  });

  it('WARC: keeps a body that is already de-chunked despite its chunked header, and de-chunks a real one', async () => {
    const dir = tmp();
    const file = path.join(dir, 'mixed.warc');
    fs.writeFileSync(file, Buffer.concat([warcWithBody(PAGE, { chunked: false, url: 'http://a/' }), warcWithBody(PAGE, { chunked: true, url: 'http://b/' })]));
    const read = docs(await readAll(file));
    expect(read.map((d) => d.url)).toEqual(['http://a/', 'http://b/']);
    for (const d of read) expect(d.body).toBe(PAGE);
  });

  it('dechunk: rejects framing that is not chunked', () => {
    expect(dechunk(Buffer.from('5\r\nhello\r\n0\r\n\r\n'))).toEqual(new Uint8Array(Buffer.from('hello')));
    expect(dechunk(Buffer.from('<html>not chunked</html>'))).toBeUndefined();
    expect(dechunk(Buffer.from('ff\r\nshort\r\n'))).toBeUndefined();
  });

  it('MediaWiki: reads the UTF-16LE bgwiki dump (BOM, CRLF) and skips non-articles', async () => {
    const items = await readAll(bundled.bgwiki);
    const [doc] = docs(items);
    expect(doc).toMatchObject({ source_kind: 'wikipedia', title: 'Григориански календар' });
    expect(doc.url).toMatch(/^https:\/\/bg\.wikipedia\.org\/wiki\//);
    expect(doc.body).toContain('календар');
    expect(doc.body).not.toContain('[[');
    expect(items.filter((i) => i.kind === 'skip')).toHaveLength(2);
  });

  it('HTML: decodes a page by the charset it declares', async () => {
    const file = path.join(tmp(), 'latin1.html');
    fs.writeFileSync(file, Buffer.from('<html><head><meta charset="iso-8859-1"><title>Caf\xe9</title></head><body><p>Caf\xe9 Mod\xe8le opened in 1901.</p></body></html>', 'latin1'));
    const [doc] = docs(await readAll(file));
    expect(doc.body).toContain('Café Modèle opened in 1901.');
  });

  it('expands folders and globs to the files a reader handles', () => {
    const { files, unmatched } = expandInputs([path.join(knowledgeFixtures, 'pages'), path.join(knowledgeFixtures, '*.jsonl'), '/nonexistent/x.jsonl']);
    expect(files.map((f) => path.basename(f))).toEqual(['malformed.jsonl', 'brannock.html', 'kestrel-valley-mirror.html', 'kestrel-valley.html'].sort((a, b) => files.findIndex((f) => f.endsWith(a)) - files.findIndex((f) => f.endsWith(b))));
    expect(files).toHaveLength(4);
    expect(unmatched).toEqual(['/nonexistent/x.jsonl']);
  });
});
