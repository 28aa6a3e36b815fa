import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { approxTokens, truncate } from '../corpus/text.ts';
import { htmlToText } from './visit.ts';
import { stringList, ToolInputError, type Tool } from './types.ts';

// papaparse ships no type declarations; this is the one call we make
const Papa = createRequire(import.meta.url)('papaparse') as {
  parse<T>(input: string, config: { skipEmptyLines?: boolean }): { data: T[] };
};

export interface ParseFileOptions {
  /** Folder the file names are resolved in; nothing outside it can be read. */
  root: string;
  maxChars?: number;
}

/** Text of a PDF, page by page (pdfjs-dist, no worker thread). */
export async function pdfText(data: Uint8Array): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data, useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
  const pages: string[] = [];
  try {
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        text += item.str + (item.hasEOL ? '\n' : '');
      }
      pages.push(`## Page ${n}\n${text.replace(/[ \t]+/g, ' ').trim()}`);
    }
  } finally {
    await doc.destroy();
  }
  return pages.join('\n\n');
}

/** A CSV as its shape, column names and rows rendered as pipe tables (large sheets keep the first rows). */
export function csvText(source: string, maxRows = 40): string {
  const parsed = Papa.parse<string[]>(source.trim(), { skipEmptyLines: true });
  const [header = [], ...rows] = parsed.data;
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const shown = rows.slice(0, maxRows).map(line);
  const more = rows.length > maxRows ? `\n… ${rows.length - maxRows} more rows` : '';
  return `${rows.length} rows × ${header.length} columns\nColumns: ${header.join(', ')}\n\n${line(header)}\n${shown.join('\n')}${more}`;
}

export async function fileText(filePath: string): Promise<string> {
  const ext = path.extname(filePath).toLowerCase();
  const data = await fs.readFile(filePath);
  switch (ext) {
    case '.pdf':
      return pdfText(new Uint8Array(data));
    case '.csv':
      return csvText(data.toString('utf8'));
    case '.tsv':
      return csvText(data.toString('utf8').replace(/\t/g, ','));
    case '.json':
      return JSON.stringify(JSON.parse(data.toString('utf8')), null, 2);
    case '.jsonl':
      return data.toString('utf8');
    case '.html':
    case '.htm': {
      const { title, text } = htmlToText(data.toString('utf8'));
      return title ? `${title}\n\n${text}` : text;
    }
    case '.txt':
    case '.md':
      return data.toString('utf8');
    default:
      throw new ToolInputError(`unsupported file type "${ext || '(none)'}" (pdf, csv, tsv, json, jsonl, html, txt, md)`);
  }
}

/** `parse_file`: text of attached files (PDF, HTML, CSV, JSON, text), resolved under the files folder. */
export function parseFileTool(options: ParseFileOptions): Tool {
  const root = path.resolve(options.root);
  return {
    spec: {
      name: 'parse_file',
      description: 'Read attached files (pdf, html, csv, tsv, json, txt) and return their text.',
      parameters: {
        type: 'object',
        properties: { files: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'File names of the attachments.' } },
        required: ['files'],
      },
    },
    async run(args) {
      const names = stringList(args.files, 'files');
      const sections = await Promise.all(
        names.map(async (name) => {
          const resolved = path.resolve(root, name);
          if (resolved !== root && !resolved.startsWith(root + path.sep)) return `# File: ${name}\nrefused: outside the files folder`;
          try {
            const real = await fs.realpath(resolved);
            if (!real.startsWith(root + path.sep)) return `# File: ${name}\nrefused: outside the files folder`;
            return `# File: ${name}\n${await fileText(real)}`;
          } catch (error) {
            if (error instanceof ToolInputError) throw error;
            return `# File: ${name}\ncould not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
          }
        }),
      );
      const content = sections.join('\n\n');
      return `File token number: ${approxTokens(content)}\nFile content:\n${truncate(content, options.maxChars ?? 30000)}`;
    },
  };
}
