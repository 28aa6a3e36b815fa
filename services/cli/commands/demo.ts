import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Document } from '../../platform/generated/records.ts';
import { ensureTopics } from '../../platform/kafka/topics.ts';
import { projectRoot } from '../../platform/paths.ts';
import { contentId, recordMeta, sha256 } from '../../platform/records.ts';
import { waitForDrain } from '../../platform/runtime/drain.ts';
import { startStage } from '../../platform/runtime/runner.ts';
import { findStage } from '../../stages.ts';
import { cliContext } from '../context.ts';
import { localKafka } from './stack.ts';

const bundledQa = path.join(projectRoot, 'data/hotpotqa/dev_300.jsonl');

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run the flywheel end to end on the bundled data and print a summary')
    .option('--limit <n>', 'questions of the bundled set to use', '300')
    .action(async (options: { limit: string }) => {
      if (!process.env.KAFKA_BROKERS) await localKafka().up();
      const ctx = cliContext();
      const started = Date.now();
      await ctx.withAdmin((admin) => ensureTopics(admin, ctx.catalogue, ctx.names));

      const docs = bundledDocuments(Number(options.limit), ctx.config.FLYWHEEL_ROUND);
      const producer = ctx.kafka.producer({ idempotent: true });
      await producer.connect();
      const topic = ctx.names.physical('fw.docs');
      const messages = await Promise.all(docs.map(async (d) => ({ key: d.id, value: await ctx.serde.encode('fw.Document', d, topic) })));
      await producer.send({ topic, messages });
      await producer.disconnect();
      console.log(`produced ${docs.length} documents to ${topic}`);

      const stage = findStage('cpt-docs');
      const running = await startStage(stage, { http: false });
      await ctx.withAdmin((admin) =>
        waitForDrain(admin, [{ groupId: running.groupId, topics: stage.inputs.map((t: string) => ctx.names.physical(t)) }], {
          onPoll: (lag) => process.stderr.write(`\rlag ${lag}   `),
        }),
      );
      await running.stop();
      const metric = async (name: string) => (await running.metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
      const summary = {
        documents_in: docs.length,
        records_out: Object.fromEntries((await metric('flywheel_records_out_total')).map((v) => [v.labels.topic, v.value])),
        dead_lettered: (await metric('flywheel_records_dead_lettered_total')).reduce((s, v) => s + v.value, 0),
        seconds: (Date.now() - started) / 1000,
      };
      console.log(`\n${JSON.stringify(summary, null, 2)}`);
    });
}

/** The bundled HotpotQA paragraphs as documents (one per distinct title+text). */
function bundledDocuments(limit: number, round: number): Document[] {
  const seen = new Set<string>();
  const docs: Document[] = [];
  const lines = fs.readFileSync(bundledQa, 'utf8').split('\n').filter(Boolean).slice(0, limit);
  lines.forEach((line, i) => {
    const item = JSON.parse(line) as { paragraphs: Array<{ title: string; text: string }> };
    for (const p of item.paragraphs) {
      const hash = sha256(`${p.title}\n${p.text}`);
      if (seen.has(hash)) continue;
      seen.add(hash);
      const id = contentId('doc', hash);
      docs.push({
        ...recordMeta({ id, round, producer: { service: 'demo', version: '1.0.0', instance: '' } }),
        source_kind: 'qa',
        source_uri: `${path.relative(projectRoot, bundledQa)}:${i + 1}`,
        url: '',
        title: p.title,
        text: p.text,
        lang: 'en',
        content_hash: hash,
        quality: {},
      });
    }
  });
  return docs;
}
