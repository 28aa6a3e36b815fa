import fs from 'node:fs';
import path from 'node:path';
import { readHtml } from './html.ts';
import { readJsonl } from './jsonl.ts';
import type { Reader } from './types.ts';
import { readWarc } from './warc.ts';
import { readWikiDump } from './wiki.ts';

export type { InputError, RawInput, ReadItem } from './types.ts';
export { describeError } from './types.ts';

/** The reader for a file, by its name; undefined for files no reader handles. */
export function readerFor(file: string): Reader | undefined {
  const name = path.basename(file).toLowerCase();
  if (/\.(jsonl|ndjson)(\.txt)?$/.test(name)) return readJsonl;
  if (/\.x?html?$/.test(name)) return readHtml;
  if (/\.warc(\.gz)?$/.test(name)) return readWarc;
  if (/\.xml(\.bz2)?$/.test(name) || (/\.bz2$/.test(name) && /pages-articles|wiki/.test(name))) return readWikiDump;
  return undefined;
}

/**
 * Expands paths, directories (recursively: a folder of HTML pages) and globs (`*`, `**`, `?`) into the files
 * a reader handles, sorted so that the same arguments always produce the same stream. Arguments that yield no
 * such file (missing, or a format no reader handles) are returned as `unmatched`.
 */
export function expandInputs(inputs: string[]): { files: string[]; unmatched: string[] } {
  const files = new Set<string>();
  const unmatched: string[] = [];
  for (const input of inputs) {
    const found = /[*?[]/.test(input) ? globFiles(input) : fs.existsSync(input) ? (fs.statSync(input).isDirectory() ? walk(input) : [input]) : [];
    const readable = found.filter((f) => readerFor(f));
    if (readable.length === 0) unmatched.push(input);
    for (const f of readable) files.add(path.resolve(f));
  }
  return { files: [...files].sort(), unmatched };
}

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? dir, e.name))
    .filter((f) => readerFor(f));
}

function globFiles(pattern: string): string[] {
  const parts = pattern.split('/');
  const firstGlob = parts.findIndex((p) => /[*?[]/.test(p));
  const base = parts.slice(0, firstGlob).join('/') || '.';
  if (!fs.existsSync(base)) return [];
  const regex = new RegExp(
    `^${parts
      .slice(firstGlob)
      .join('/')
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*\*\/?/g, '\u0000')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')
      .replace(/\u0000/g, '(?:.*/)?')}$`,
  );
  return fs
    .readdirSync(base, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? base, e.name))
    .filter((f) => regex.test(path.relative(base, f).split(path.sep).join('/')));
}
