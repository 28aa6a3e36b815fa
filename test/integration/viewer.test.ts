import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQuerier, type AnalyticsQuerier } from '../../services/analytics/querier.ts';
import { startAnalytics, type RunningAnalytics } from '../../services/analytics/service.ts';
import type { TopicName, TopicValues } from '../../services/platform/generated/records.ts';
import { projectRoot } from '../../services/platform/paths.ts';
import { waitForDrain } from '../../services/platform/runtime/drain.ts';
import { redriveDeadLetters } from '../../services/platform/runtime/redrive.ts';
import { startViewer, type RunningViewer } from '../../services/viewer/server.ts';
import { execChild, spawnChild } from '../setup/children.ts';
import { TestEnv } from '../support.ts';
import { ClickHouseHttpBridge, freePort } from './analytics-http-bridge.ts';
import { viewerRounds, XSS } from './viewer-round.ts';

/**
 * The data viewer on real rounds in embedded ClickHouse, driven by a real headless browser (Debian's chromium
 * through playwright-core). Round 1 is a real flywheel round (`flywheel demo` on three bundled questions: ingest,
 * memory, FAS, rollouts, HAS, CPT); rounds 4 and 5 are the analytics views' known round with what the viewer
 * must show on purpose (markup in record text, a rejected rollout parting at step 1, dead letters). Both go
 * through the real broker and the real analytics sink. Screenshots of every view go to
 * .flywheel/test-output/viewer/.
 */
const run = execChild;
const axeScript = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shots = path.join(projectRoot, '.flywheel/test-output/viewer');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-viewer-'));
const ROUND = 4;
const REAL = 1; // the round `flywheel demo` runs
const PAGE = 5;
const { records } = viewerRounds(ROUND);
let env: TestEnv;
let sink: RunningAnalytics;
let querier: AnalyticsQuerier;
let viewer: RunningViewer;
let browser: Browser;
let page: Page;
let sinkEnv: NodeJS.ProcessEnv;
// a trajectory of the real round whose lineage reaches source documents: an SFT sample when the round has one
// derived from documents (SFT samples of the bundled dataset questions have no document parents), else a rollout
let realTrajectory = '';
let realTopic = '';

async function sql(query: string, params: Record<string, unknown> = {}): Promise<Array<Record<string, unknown>>> {
  return (await querier.query(query, params)).rows;
}

async function open(url: string, shot?: string): Promise<void> {
  const response = await page.goto(`${viewer.url}${url}`);
  expect(response?.status(), url).toBe(200);
  if (shot) await page.screenshot({ path: path.join(shots, `${shot}.png`), fullPage: true });
}

async function xssRan(): Promise<unknown> {
  return page.evaluate('window.__xss');
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: run scripts/setup.sh (installs Debian's chromium) or set CHROMIUM_PATH`);
  fs.mkdirSync(shots, { recursive: true });
  env = new TestEnv();
  await env.createTopics();
  const out = path.join(home, 'demo-out');
  await run(process.execPath, [path.join(projectRoot, 'bin/flywheel.mjs'), 'demo', '--limit', '3', '--rounds', '1', '--prefix', env.prefix, '--out', out], {
    cwd: projectRoot, env: { ...env.env, KAFKA_BROKERS: env.config.KAFKA_BROKERS.join(',') }, timeout: 420_000, maxBuffer: 16 * 1024 * 1024,
  });
  // the runtime records a dead letter's physical topic (with the prefix); re-drive sends it back there
  for (const letter of records['fw.dlq'] ?? []) letter.original_topic = env.topic(letter.original_topic);
  for (const [topic, values] of Object.entries(records) as Array<[TopicName, Array<TopicValues[TopicName]>]>) await env.produce(topic, values as never);
  sinkEnv = { ...env.env, FLYWHEEL_HOME: home, CLICKHOUSE_DATABASE: 'viewer', ANALYTICS_FLUSH_MS: '150', ANALYTICS_LAG_EVERY_MS: '0', LOG_LEVEL: 'warn' };
  sink = await startAnalytics({ env: sinkEnv });
  // the demo's topics are transactional: a partition may end in several markers, so the gaps are read
  const admin = env.kafka.admin();
  await admin.connect();
  try {
    await waitForDrain(admin, [{ groupId: sink.groupId, topics: sink.inputs.map((t) => env.topic(t)) }], { kafka: env.kafka, timeoutMs: 240_000, quietMs: 1500 });
  } finally {
    await admin.disconnect();
  }
  // the sink owns the embedded folder: the viewer reads through its read-only endpoint, as `flywheel ui` would
  querier = await openQuerier({ FLYWHEEL_HOME: home, CLICKHOUSE_DATABASE: 'viewer' });
  viewer = await startViewer({ querier, config: { VIEWER_READ_ONLY: true, VIEWER_PAGE_SIZE: PAGE } }, { host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await viewer?.close();
  await querier?.close();
  await sink?.stop();
  await env?.cleanup();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('data viewer in a real browser', () => {
  it('rounds: list, one round (funnel chart and tables, drops, acceptance, cost), two side by side', async () => {
    expect(querier.via).toMatch(/analytics service/);
    await open('/', 'rounds');
    expect(await page.locator('table.records caption').first().textContent()).toContain('Rounds');
    expect(await page.locator('main').textContent()).toContain('scripted-policy v1');
    await page.getByRole('link', { name: `Round ${ROUND}`, exact: true }).click();
    await page.waitForURL(`**/rounds/${ROUND}`);
    await page.waitForFunction("(document.querySelector('canvas')?.getAttribute('style') ?? '').includes('width')");
    await page.screenshot({ path: path.join(shots, 'round.png'), fullPage: true });
    const funnel = page.locator('table', { has: page.locator('caption', { hasText: `Funnel of round ${ROUND}` }) });
    expect(await funnel.locator('tr', { hasText: 'rollouts' }).textContent()).toContain('6');
    expect(await page.locator('table', { has: page.locator('caption', { hasText: 'Drops by reason' }) }).textContent()).toContain('no_answer');
    expect(await page.locator('table', { has: page.locator('caption', { hasText: 'Acceptance by question style' }) }).textContent()).toMatch(/numeric\s*1\s*2\s*2/);

    await open('/rounds');
    await page.getByRole('button', { name: 'Compare side by side' }).click();
    await page.waitForURL(/\/rounds\/compare\?a=4&b=5/);
    await page.screenshot({ path: path.join(shots, 'rounds-compare.png'), fullPage: true });
    expect(await page.locator('section h2').allTextContents()).toEqual([`Round ${ROUND}`, `Round ${ROUND + 1}`]);
    expect(await page.locator('table', { has: page.locator('caption', { hasText: 'against round' }) }).locator('tr', { hasText: 'rollouts' }).textContent()).toMatch(/rollouts\s*6\s*2\s*-4/);
    expect(await page.locator('canvas').count()).toBe(3);
  });

  it('round → trajectories table → a trajectory → its source document', async () => {
    await open(`/rounds/${ROUND}`);
    await page.getByRole('link', { name: 'rollouts', exact: true }).click();
    await page.waitForURL(/\/tables\/trajectories\?round=4/);
    await page.screenshot({ path: path.join(shots, 'table-trajectories.png'), fullPage: true });
    expect(await page.locator('tbody tr').count()).toBe(PAGE); // 5 of 6 rollouts

    // keyset paging: every rollout once, sorted by ClickHouse
    const seen: string[] = [];
    await open('/tables/trajectories?round=4&sort=id&dir=asc');
    for (;;) {
      seen.push(...(await page.locator('tbody tr td:first-child').allTextContents()));
      const next = page.locator('#next-page');
      if (!(await next.count())) break;
      await next.click();
      await page.waitForLoadState();
    }
    expect(seen).toEqual(['t_fact_0', 't_fact_1', 't_hard_0', 't_hard_1', 't_num_0', 't_num_1']);

    // filters: minimum reward, verdict and text search inside the messages
    await open('/tables/trajectories?round=4&min_reward=0.5&sort=id&dir=asc');
    expect(await page.locator('tbody tr td:first-child').allTextContents()).toEqual(['t_fact_0', 't_num_0', 't_num_1']);
    await open('/tables/trajectories?round=4&verdict=false&q=bela');
    expect(await page.locator('tbody tr td:first-child').allTextContents()).toEqual(['t_fact_1']);

    await page.getByRole('link', { name: 't_fact_1' }).click();
    await page.waitForURL(/\/trajectories\/t_fact_1/);
    await page.screenshot({ path: path.join(shots, 'trajectory.png'), fullPage: true });
    expect(await page.locator('ol.steps > li').count()).toBe(3);
    expect(await page.locator('details.response').first().getAttribute('open')).toBeNull(); // tool responses start collapsed
    expect(await page.locator('ol.steps').textContent()).toContain('visit');
    expect(await page.locator('main').textContent()).toContain('they part at step 1');
    const group = page.locator('table', { has: page.locator('caption', { hasText: 'Rollouts of the group' }) });
    expect(await group.locator('tbody tr').count()).toBe(2);
    expect(await group.locator('tr', { hasText: 't_fact_1' }).textContent()).toMatch(/rejected\s*0\s*-1\s*yes/); // reward 0, advantage -1
    expect(await page.locator('table.align tr.parts').textContent()).toContain('visit');

    await page.locator('a.source', { hasText: 'Ed Wood' }).click();
    await page.waitForURL(/\/records\/doc_1/);
    await page.screenshot({ path: path.join(shots, 'source-document.png'), fullPage: true });
    expect(await page.locator('h1').textContent()).toBe('Ed Wood');
    expect(await page.locator('.position').first().textContent()).toMatch(/^fw\.docs \/ partition \d+ \/ offset \d+$/);
  });

  it('every record table opens, with its filters', async () => {
    const expectRows: Array<[string, string, number]> = [
      ['questions', '/tables/questions?round=4', 3],
      ['sft', '/tables/sft?round=4&sort=id&dir=asc', 2],
      ['rl_groups', '/tables/rl_groups?round=4', 2],
      ['has_samples', '/tables/has_samples?round=4', 1],
      ['cpt_samples', '/tables/cpt_samples?round=4', 4],
      ['drops', '/tables/drops?round=4&reason=no_answer', 2],
      ['dlq', '/tables/dlq', 3],
    ];
    for (const [name, url, rows] of expectRows) {
      await open(url, `table-${name}`);
      expect(await page.locator('tbody tr').count(), url).toBe(rows);
    }
    expect(await page.locator('button', { hasText: 'Re-drive' }).isDisabled()).toBe(true);
  });

  it('HAS page marks the chosen option; DLQ page shows error headers; re-drive is refused read-only', async () => {
    await open('/has/has_1', 'has');
    expect(await page.locator('ol.options li.chosen').textContent()).toContain('search');
    expect(await page.locator('ol.options li').count()).toBe(3);

    await open('/dlq/dlq_c', 'dlq');
    expect(await page.locator('table', { has: page.locator('caption', { hasText: 'Error headers' }) }).textContent()).toContain('fw.error.code');
    const refused = await fetch(`${viewer.url}/dlq/redrive`, { method: 'POST', headers: { origin: viewer.url, 'content-type': 'application/x-www-form-urlencoded' }, body: 'stage=memory' });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('read-only');
  });

  it('lineage of an SFT sample as a graph with Kafka positions', async () => {
    await open('/lineage/t_num_0?', 'lineage');
    await page.waitForSelector('#lineage-graph svg');
    await page.screenshot({ path: path.join(shots, 'lineage.png'), fullPage: true });
    expect(await page.locator('#lineage-graph svg a.node').count()).toBeGreaterThanOrEqual(10);
    expect(await page.locator('#lineage-graph svg a.node.source').count()).toBe(4); // doc_1, doc_2, raw_1, raw_2
    const table = await page.locator('table.records tbody').textContent();
    expect(table).toMatch(/fw\.docs\/\d+@\d+/);
    expect(table).toMatch(/fw\.ingest\.raw\/\d+@\d+/);
    expect(table).toContain('grp_num'); // a child: the RL group
  });

  it('record text is escaped everywhere: markup shows as text and never runs', async () => {
    for (const url of ['/tables/trajectories?round=4&q=script', '/trajectories/t_fact_0', '/trajectories/t_fact_1', '/has/has_1', '/tables/cpt_samples?q=crawled', '/records/cpt_xss']) {
      await open(url);
      expect(await xssRan(), url).toBeUndefined();
      expect(await page.locator('main').textContent(), url).toContain(url.includes('t_fact_1') ? '<img src=x' : XSS);
    }
    await page.screenshot({ path: path.join(shots, 'escaped-record.png'), fullPage: true });
  });

  it('has no accessibility violations axe-core finds (WCAG 2 A and AA) on any view', async () => {
    // axe is injected as an inline script, which the viewer's own CSP forbids: a separate page bypasses it
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const audit = await context.newPage();
    try {
      const urls = [
        '/rounds', `/rounds/${ROUND}`, `/rounds/compare?a=${ROUND}&b=${ROUND + 1}`, '/tables/trajectories?round=4', '/tables/dlq',
        '/trajectories/t_fact_1', '/has/has_1', '/records/doc_1', '/lineage/t_num_0', '/dlq/dlq_c', '/tables/trajectories?round=abc',
      ];
      const found: string[] = [];
      for (const url of urls) {
        await audit.goto(`${viewer.url}${url}`);
        await audit.addScriptTag({ path: axeScript });
        const violations = (await audit.evaluate("axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] }).then((r) => r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))")) as string[];
        found.push(...violations.map((v) => `${url} ${v}`));
      }
      expect(found).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('works with the keyboard and refuses bad input naming the parameter', async () => {
    await open('/tables/trajectories?round=4&sort=id&dir=asc');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    await page.keyboard.press('/');
    expect(await page.evaluate('document.activeElement?.id')).toBe('search');
    await page.keyboard.press('Escape');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('n');
    await page.waitForURL(/after=/);
    expect(await page.locator('tbody tr td:first-child').allTextContents()).toEqual(['t_num_1']);

    for (const [url, message] of [['/tables/trajectories?round=abc', 'round: expected a whole number'], ['/tables/trajectories?sort=nope', 'sort: "nope"'], ['/tables/trajectories?after=xyz', 'after: not a page cursor']]) {
      const response = await page.goto(`${viewer.url}${url}`);
      expect(response?.status(), url).toBe(400);
      expect(await page.locator('[role=alert]').textContent()).toContain(message);
    }
    expect((await page.goto(`${viewer.url}/records/nope`))?.status()).toBe(404);
  });
});

describe('a real round (flywheel demo) in the viewer', () => {
  it('round page, every rollout once through keyset pages, a trajectory (SFT when one derives from documents) → a source document, lineage, HAS', async () => {
    const [{ n }] = await sql(`SELECT count() AS n FROM viewer.trajectories FINAL WHERE kafka_topic = 'fw.rollout.trajectories' AND round = ${REAL}`);
    expect(Number(n)).toBeGreaterThan(10);
    await open('/rounds');
    await page.getByRole('link', { name: `Round ${REAL}`, exact: true }).click();
    await page.waitForURL(`**/rounds/${REAL}`);
    await page.screenshot({ path: path.join(shots, 'real-round.png'), fullPage: true });
    const funnel = page.locator('table', { has: page.locator('caption', { hasText: `Funnel of round ${REAL}` }) });
    expect(await funnel.locator('tr', { hasText: 'rollouts' }).locator('td').last().textContent()).toBe(String(n));

    // keyset paging over the real rollouts, as the server renders it: each once, in ClickHouse's order
    const ids = (await sql(`SELECT id FROM viewer.trajectories FINAL WHERE kafka_topic = 'fw.rollout.trajectories' AND round = ${REAL} ORDER BY id`)).map((r) => r.id);
    const paged: string[] = [];
    let next: string | undefined = `/tables/trajectories?round=${REAL}&sort=id&dir=asc`;
    while (next) {
      const text = await (await fetch(`${viewer.url}${next}`)).text();
      paged.push(...[...text.matchAll(/<tr><td><a href="\/trajectories\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]));
      next = /id="next-page" href="([^"]+)"/.exec(text)?.[1].replaceAll('&amp;', '&');
    }
    expect(paged).toEqual(ids);

    const candidates = await sql(
      `SELECT id, kafka_topic FROM viewer.trajectories FINAL WHERE kafka_topic IN ('fw.sft.trajectories', 'fw.rollout.trajectories') AND round = ${REAL}
       ORDER BY kafka_topic = 'fw.sft.trajectories' DESC, judge_correct DESC, id`,
    );
    for (const { id, kafka_topic } of candidates) {
      const [{ docs }] = await sql('SELECT count() AS docs FROM viewer.lineage_sources(id = {id:String})', { id });
      if (Number(docs) > 0) {
        [realTrajectory, realTopic] = [String(id), String(kafka_topic)];
        break;
      }
    }
    expect(realTrajectory, 'a trajectory of the real round derived from documents').not.toBe('');
    console.error(`real round: following ${realTrajectory} (${realTopic})`);

    const sft = realTopic === 'fw.sft.trajectories';
    await page.getByRole('link', { name: sft ? 'sft' : 'rollouts', exact: true }).click();
    await page.waitForURL(sft ? /\/tables\/sft\?round=1/ : /\/tables\/trajectories\?round=1/);
    await page.screenshot({ path: path.join(shots, sft ? 'real-table-sft.png' : 'real-table-trajectories.png'), fullPage: true });
    if (!sft) await open(`/tables/trajectories?round=${REAL}&sort=id&dir=asc`); // pages in a known order
    while (!(await page.getByRole('link', { name: realTrajectory, exact: true }).count())) {
      await page.locator('#next-page').click();
      await page.waitForLoadState();
    }
    await page.getByRole('link', { name: realTrajectory, exact: true }).click();
    await page.waitForURL(/\/trajectories\//);
    await page.screenshot({ path: path.join(shots, 'real-trajectory.png'), fullPage: true });
    expect(await page.locator('ol.steps > li').count()).toBeGreaterThan(1);
    expect(await page.locator('main').textContent()).toContain(realTopic);
    const source = page.locator('a.source').first();
    const title = (await source.textContent())!;
    await source.click();
    await page.waitForURL(/\/records\//);
    await page.screenshot({ path: path.join(shots, 'real-source-document.png'), fullPage: true });
    expect(await page.locator('h1').textContent()).toBe(title);
    expect(await page.locator('.position').first().textContent()).toMatch(/^fw\.(docs|ingest\.raw) \/ partition \d+ \/ offset \d+$/);

    await open(`/lineage/${encodeURIComponent(realTrajectory)}`);
    await page.waitForSelector('#lineage-graph svg');
    await page.screenshot({ path: path.join(shots, 'real-lineage.png'), fullPage: true });
    expect(await page.locator('#lineage-graph svg a.node.source').count()).toBeGreaterThan(0);

    const [has] = await sql(`SELECT id, chosen FROM viewer.has_samples FINAL WHERE round = ${REAL} ORDER BY id LIMIT 1`);
    await open(`/has/${encodeURIComponent(String(has.id))}`, 'real-has');
    expect(await page.locator('ol.options li.chosen').count()).toBe(1);
    expect(await page.locator('ol.options li').nth(Number(has.chosen)).getAttribute('class')).toBe('chosen');
  });

  it('flywheel lineage prints the real trajectory\'s path back to its source documents with their offsets', async () => {
    expect(realTrajectory).not.toBe('');
    const { stdout } = await run(process.execPath, [path.join(projectRoot, 'bin/flywheel.mjs'), 'lineage', realTrajectory], { env: sinkEnv, cwd: projectRoot });
    fs.writeFileSync(path.join(shots, 'real-lineage.txt'), stdout);
    const lines = stdout.split('\n');
    expect(lines[1]).toMatch(new RegExp(`^${realTrajectory} {2}\\[trajectories, round ${REAL}\\] {2}.*${realTopic.replaceAll('.', '\\.')}/\\d+@\\d+`));
    const count = Number(/source documents \((\d+)\):/.exec(stdout)?.[1]);
    expect(count).toBeGreaterThan(0);
    const sources = stdout.slice(stdout.indexOf('\nsource documents ('), stdout.indexOf('\nchildren')).trim().split('\n').slice(1);
    expect(sources).toHaveLength(count);
    for (const line of sources) expect(line).toMatch(/^ {2}\S+ {2}(documents|raw_documents) {2}fw\.(docs|ingest\.raw)\/\d+@\d+/);
  });
});

describe('flywheel lineage', () => {
  it('prints an SFT sample\'s path back to the source documents with topic, partition and offset', async () => {
    const { stdout } = await run(process.execPath, [path.join(projectRoot, 'bin/flywheel.mjs'), 'lineage', 't_num_0'], { env: sinkEnv, cwd: projectRoot });
    const lines = stdout.split('\n');
    expect(lines[1]).toMatch(/^t_num_0 {2}\[trajectories, round 4\] {2}.*fw\.sft\.trajectories\/\d+@\d+/);
    expect(stdout).toMatch(/^ {2}q_num {2}\[questions, round 4\] {2}fw\.fas\.questions\/\d+@\d+/m);
    expect(stdout).toMatch(/^ {12}raw_2 {2}\[raw_documents, round 4\] {2}fw\.ingest\.raw\/\d+@\d+/m);
    const sources = stdout.slice(stdout.indexOf('source documents (4):'), stdout.indexOf('children'));
    for (const id of ['doc_1', 'doc_2', 'raw_1', 'raw_2']) expect(sources).toMatch(new RegExp(`${id} .*fw\\.(docs|ingest\\.raw)/\\d+@\\d+`));
    expect(stdout).toMatch(/children.*\n\s+grp_num {2}\[rl_groups/);
  });
});

describe('flywheel ui', () => {
  it('reads a ClickHouse server (CLICKHOUSE_URL, readonly=1) the same way', async () => {
    const bridge = new ClickHouseHttpBridge(sink.client, await freePort());
    await bridge.start();
    const server = await openQuerier({ CLICKHOUSE_URL: bridge.url, CLICKHOUSE_DATABASE: 'viewer', FLYWHEEL_HOME: home });
    const remote = await startViewer({ querier: server, config: { VIEWER_READ_ONLY: true, VIEWER_PAGE_SIZE: PAGE } }, { host: '127.0.0.1', port: 0 });
    try {
      expect(server.via).toMatch(/^server /);
      const pages: Array<[string, string]> = [
        [`/rounds/${ROUND}`, `Funnel of round ${ROUND}`], ['/tables/trajectories?round=4&q=bela', 't_fact_1'],
        ['/trajectories/t_fact_1', 'they part at'], ['/lineage/t_num_0', 'fw.ingest.raw/'], ['/has/has_1', 'chosen'],
      ];
      for (const [url, text] of pages) {
        const response = await fetch(`${remote.url}${url}`);
        expect(response.status, url).toBe(200);
        expect(await response.text(), url).toContain(text);
      }
      expect(bridge.requests).toBeGreaterThan(pages.length);
    } finally {
      await remote.close();
      await server.close();
      await bridge.stop();
    }
  });

  it('serves the page on the port it is given (0: a free one) and stops on SIGTERM', async () => {
    const child = spawnChild(process.execPath, [path.join(projectRoot, 'bin/flywheel.mjs'), 'ui', '--port', '0'], { env: sinkEnv, cwd: projectRoot });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = '';
        child.stderr!.on('data', (chunk: Buffer) => {
          err += chunk.toString();
          const found = /flywheel ui: (http:\/\/127\.0\.0\.1:\d+) \(data via analytics service/.exec(err);
          if (found) resolve(found[1]);
        });
        child.once('exit', (code) => reject(new Error(`flywheel ui exited with ${code}: ${err}`)));
      });
      const response = await fetch(`${url}/rounds/${ROUND}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await response.text()).toContain(`Funnel of round ${ROUND}`);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('re-drives dead letters to their original topics when started with re-drive allowed', async () => {
    const writable = await startViewer(
      {
        querier,
        config: { VIEWER_READ_ONLY: false, VIEWER_PAGE_SIZE: 50 },
        redrive: async (filter) => {
          const admin = env.kafka.admin();
          await admin.connect();
          try {
            return await redriveDeadLetters(env.kafka, admin, env.names, env.serde, filter);
          } finally {
            await admin.disconnect();
          }
        },
      },
      { host: '127.0.0.1', port: 0 },
    );
    try {
      const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'stage=memory&code=POISON_RECORD' };
      // a form posted from another site is refused (CSRF)
      expect((await fetch(`${writable.url}/dlq/redrive`, { ...form, headers: { ...form.headers, origin: 'http://evil.example' } })).status).toBe(403);
      const done = await fetch(`${writable.url}/dlq/redrive`, { ...form, headers: { ...form.headers, origin: writable.url } });
      const body = await done.text();
      expect(done.status, body).toBe(200);
      expect(body).toMatch(/Re-driven 2 dead letter\(s\), skipped 1/);
    } finally {
      await writable.close();
    }
  });
});
