import fs from 'node:fs';
import readline from 'node:readline';
import { qaParagraphs } from './qa.ts';
import type { ReadItem, RawInput } from './types.ts';

const TEXT_FIELDS = ['text', 'content', 'body'] as const;

/**
 * JSON Lines: one object per line. Lines of a multi-hop QA corpus (`paragraphs` or HotpotQA's `context`)
 * become one document per paragraph; other lines need a text field (`text`, `content` or `body`, or `html`).
 * A line that is not JSON, or has no text, is reported with its line number and the rest is read.
 */
export async function* readJsonl(file: string, name: string): AsyncGenerator<ReadItem> {
  const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  let bytes = 0;
  for await (const line of lines) {
    lineNo++;
    bytes += Buffer.byteLength(line) + 1;
    if (lineNo % 200 === 0) yield { kind: 'progress', bytes };
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      yield { kind: 'error', error: { file: name, line: lineNo, message: `invalid JSON: ${(error as Error).message}` } };
      continue;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      yield { kind: 'error', error: { file: name, line: lineNo, message: 'expected a JSON object' } };
      continue;
    }
    const record = value as Record<string, unknown>;
    const paragraphs = qaParagraphs(record);
    if (paragraphs) {
      for (const [i, p] of paragraphs.entries()) yield { kind: 'doc', doc: { source_kind: 'qa', source_uri: `${name}:${lineNo}#p${i}`, url: '', title: p.title, content_type: 'text/plain', body: p.text } };
      continue;
    }
    const doc = textRecord(record, `${name}:${lineNo}`);
    if (doc) yield { kind: 'doc', doc };
    else yield { kind: 'error', error: { file: name, line: lineNo, message: `no text: expected a string field ${[...TEXT_FIELDS, 'html'].join(', ')} or QA paragraphs` } };
  }
  yield { kind: 'progress', bytes };
}

function textRecord(record: Record<string, unknown>, uri: string): RawInput | undefined {
  const str = (k: string) => (typeof record[k] === 'string' ? (record[k] as string) : '');
  const field = TEXT_FIELDS.find((k) => str(k).trim());
  const html = str('html');
  if (!field && !html.trim()) return undefined;
  return {
    source_kind: 'jsonl',
    source_uri: uri,
    url: str('url'),
    title: str('title'),
    content_type: field ? 'text/plain' : 'text/html',
    body: field ? str(field) : html,
  };
}
