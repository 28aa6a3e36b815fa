import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest, LlmClient } from '../../platform/llm/types.ts';
import { projectRoot } from '../../platform/paths.ts';
import { Corpus } from '../corpus/corpus.ts';
import { parseFileTool } from './parse-file.ts';
import { corpusBackend, scholarTool, searchTool } from './search.ts';
import { httpSearchBackend } from './search-http.ts';
import { Toolbox } from './toolbox.ts';
import { visitTool } from './visit.ts';

const doc = (id: string, title: string, text: string, extra: { url?: string; source_kind?: string } = {}) => ({
  id,
  title,
  text,
  url: extra.url ?? '',
  source_kind: extra.source_kind ?? 'qa',
  content_hash: `${id}:${text}`,
  quality: {},
});

function corpus(): Corpus {
  const c = new Corpus();
  c.add(doc('d1', 'Ed Wood', 'Edward Davis Wood Jr. was an American filmmaker. He directed Plan 9 from Outer Space in 1957.'));
  c.add(doc('d2', 'Scott Derrickson', 'Scott Derrickson is an American director. He directed Doctor Strange.'));
  c.add(doc('d3', 'Attention Is All You Need', 'The Transformer is a network architecture based solely on attention mechanisms.', { url: 'https://arxiv.org/abs/1706.03762' }));
  c.add(doc('d4', 'Tomato', 'The tomato is the edible berry of the plant Solanum lycopersicum.'));
  return c;
}

describe('search (BM25 over the corpus)', () => {
  it('ranks the matching page first and renders title, link and snippet', async () => {
    const out = await searchTool(corpusBackend(corpus())).run({ query: ['who directed Plan 9 from Outer Space'] }, {});
    expect(out).toMatch(/^A search for 'who directed Plan 9 from Outer Space' found \d+ results:/);
    expect(out.split('\n').find((l) => /^1\. /.test(l))).toBe('1. [Ed Wood](local://doc/d1)');
    expect(out).toContain('He directed Plan 9 from Outer Space in 1957.');
  });

  it('runs several queries and joins them; reports an empty result', async () => {
    const out = await searchTool(corpusBackend(corpus())).run({ query: ['Doctor Strange director', 'zzzz qqqq'] }, {});
    const [first, second] = out.split('\n=======\n');
    expect(first).toContain('[Scott Derrickson]');
    expect(second).toMatch(/^No results found for 'zzzz qqqq'/);
  });

  it('indexes a replaced document under its new text only', async () => {
    const c = corpus();
    c.add(doc('d4', 'Tomato', 'Tomatoes were brought to Europe from Mesoamerica.'));
    expect(c.search('Solanum')).toHaveLength(0);
    expect(c.search('Mesoamerica')[0].page.id).toBe('d4');
    expect(c.size).toBe(4);
  });

  it('scholar only returns papers', async () => {
    const tool = scholarTool(corpusBackend(corpus(), { papersOnly: true }));
    const out = await tool.run({ query: ['attention architecture network'] }, {});
    expect(out).toContain('## Scholar Results');
    expect(out).toContain('https://arxiv.org/abs/1706.03762');
    expect(await tool.run({ query: ['Ed Wood filmmaker'] }, {})).toMatch(/^No papers found/);
  });
});

describe('external search adapter', () => {
  let server: http.Server;
  let base = '';
  const seen: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.url} key=${req.headers['x-api-key']}`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ organic: [{ title: 'Example', link: 'https://example.org/', snippet: 'An example page.' }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('calls the API with the query and key and renders its results', async () => {
    const tool = searchTool(httpSearchBackend({ urlTemplate: `${base}/search?q={query}&n={limit}`, apiKey: 'k1' }), { limit: 5 });
    const out = await tool.run({ query: 'ed wood' }, {});
    expect(out).toContain('1. [Example](https://example.org/)\nAn example page.');
    expect(seen).toContain('/search?q=ed%20wood&n=5 key=k1');
  });
});

describe('visit', () => {
  it('returns a corpus page by link, id or title with the evidence for the goal', async () => {
    const tool = visitTool(corpus());
    for (const ref of ['local://doc/d1', 'd1', 'ed wood']) {
      const out = await tool.run({ url: ref, goal: 'when was Plan 9 directed' }, {});
      expect(out).toMatch(/^The useful information in local:\/\/doc\/d1 \(Ed Wood\) for user goal "when was Plan 9 directed"/);
      expect(out).toContain('Evidence in page:\nHe directed Plan 9 from Outer Space in 1957.');
      expect(out).toContain('Page content:\nEdward Davis Wood Jr. was an American filmmaker.');
    }
    expect(await tool.run({ url: ['d2', 'nope'], goal: 'director' }, {})).toMatch(/Scott Derrickson[\s\S]*=======\nThe page nope is not available/);
  });
});

describe('visit with a goal-directed LLM summary', () => {
  it('asks the model with the goal and the page, and returns its summary', async () => {
    const requests: ChatRequest[] = [];
    const llm: LlmClient = {
      model: 'summariser',
      async chat(request) {
        requests.push(request);
        return { content: ' Ed Wood directed it in 1957. ', tool_calls: [], finish_reason: 'stop', model: 'summariser', cached: false, usage: { model: 'summariser', endpoint: '', prompt_template_hash: '', input_tokens: 1, output_tokens: 1, calls: 1, cached_calls: 0, cost_usd: 0 } };
      },
      async structured() {
        throw new Error('unused');
      },
      async close() {},
    };
    const out = await visitTool(corpus(), { llmSummary: true }).run({ url: 'd1', goal: 'who directed Plan 9' }, { llm });
    expect(out).toMatch(/for user goal "who directed Plan 9" as follows:\n\nSummary:\nEd Wood directed it in 1957\.$/);
    expect(requests).toHaveLength(1);
    expect(requests[0].purpose).toBe('visit_summary');
    expect(requests[0].messages[1].content).toContain('Goal: who directed Plan 9');
    expect(requests[0].messages[1].content).toContain('He directed Plan 9 from Outer Space in 1957.');
  });
});

describe('parse_file', () => {
  const tool = parseFileTool({ root: path.join(projectRoot, 'data/files') });

  it('reads the bundled PDF (US Constitution)', async () => {
    const whole = parseFileTool({ root: path.join(projectRoot, 'data/files'), maxChars: 200_000 });
    const out = await whole.run({ files: ['us_constitution.pdf'] }, {});
    expect(out).toMatch(/^File token number: \d+\nFile content:\n# File: us_constitution.pdf\n## Page 1/);
    expect(out).toContain('We the People of the United States');
    expect(out).toContain('## Page 19');
    expect(out).not.toContain('[truncated');
    expect(await tool.run({ files: ['us_constitution.pdf'] }, {})).toMatch(/… \[truncated \d+ chars\]$/);
  });

  it('reads the bundled CSV as a table with its shape', async () => {
    const out = await tool.run({ files: ['us-employment.csv'] }, {});
    expect(out).toContain('120 rows × 24 columns');
    expect(out).toMatch(/Columns: month, nonfarm, private/);
    expect(out).toMatch(/\| 2006-01-01 \| \d+/);
    expect(out).toContain('… 80 more rows');
  });

  it('refuses files outside its folder and unknown files', async () => {
    expect(await tool.run({ files: ['../hotpotqa/dev_300.jsonl'] }, {})).toContain('refused: outside the files folder');
    expect(await tool.run({ files: ['/etc/passwd'] }, {})).toContain('refused: outside the files folder');
    expect(await tool.run({ files: ['missing.pdf'] }, {})).toContain('could not be read (ENOENT)');
  });
});

describe('toolbox', () => {
  const box = new Toolbox([searchTool(corpusBackend(corpus())), visitTool(corpus())]);

  it('returns errors as observations: unknown tool, missing or bad arguments', async () => {
    expect(await box.call('browse', {}, {})).toMatchObject({ error: 'unknown_tool', response: expect.stringMatching(/Tool browse not found/) });
    expect(await box.call('search', {}, {})).toMatchObject({ error: 'invalid_arguments', response: expect.stringMatching(/needs "query"/) });
    expect(await box.call('search', { query: [] }, {})).toMatchObject({ error: 'invalid_arguments' });
    const ok = await box.call('search', { query: ['Ed Wood'] }, {});
    expect(ok.error).toBe('');
    expect(ok.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('exposes JSON-schema signatures', () => {
    expect(box.specs.map((s) => s.name)).toEqual(['search', 'visit']);
    expect(box.specs[0].parameters).toMatchObject({ type: 'object', required: ['query'] });
  });
});
