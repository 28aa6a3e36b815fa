import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type ISocketFactory } from 'kafkajs';
import { SingleObjectSerde } from '../services/platform/avro/serde.ts';
import { loadPlatformConfig } from '../services/platform/config.ts';
import type { CptSample, Document, ToolCall, Trajectory } from '../services/platform/generated/records.ts';
import { compressSends, registerCodecs, type CompressionName } from '../services/platform/kafka/compression.ts';
import { projectRoot } from '../services/platform/paths.ts';
import { sampleValues } from '../test/fixtures/records.ts';
import { compared, envInt, note, runIfMain, type BenchResult } from './lib.ts';

type Codec = CompressionName;
const codecs: Codec[] = ['none', 'gzip', 'lz4', 'zstd'];

/**
 * Producer compression on the project's records: documents made of the bundled HotpotQA paragraphs, CPT samples
 * of the same text, and trajectories and tool calls whose responses quote them, Avro-encoded as the stages write
 * them, sent in requests of `BENCH_COMPRESSION_SEND` records over 4 partitions (about a stage transaction's size).
 * For each codec: bytes the producer wrote to its sockets (requests on the wire) and records/s with acks=all,
 * interleaved (none, gzip, lz4, zstd, none, …) and the best of the repetitions kept. Ratios are against `none`.
 */
export async function run(): Promise<BenchResult[]> {
  const n = envInt('BENCH_COMPRESSION_RECORDS', 8000);
  const perSend = envInt('BENCH_COMPRESSION_SEND', 100);
  const repetitions = envInt('BENCH_COMPRESSION_REPETITIONS', 3);
  const config = loadPlatformConfig({ ...process.env, LOG_LEVEL: 'warn' });
  registerCodecs();
  const messages = realisticMessages(n);
  const rawBytes = messages.reduce((s, m) => s + m.value.length, 0);
  note(`${n} records, ${(rawBytes / 1e6).toFixed(1)} MB of Avro values`);

  const prefix = `bench${randomBytes(3).toString('hex')}.`;
  const counted = { written: 0 };
  const client = () => new Kafka({ clientId: 'bench-compression', brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING, socketFactory: countingSockets(counted) });
  const admin = client().admin();
  await admin.connect();
  const best = new Map<Codec, { bytes: number; rate: number }>();
  try {
    const topics = Array.from({ length: repetitions }, (_, rep) => codecs.map((codec) => `${prefix}${codec}-${rep}`)).flat();
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 4, replicationFactor: 1 })), waitForLeaders: false });
    for (const topic of topics) {
      while (!(await admin.fetchTopicOffsets(topic).then(() => true, () => false))) await sleep(100);
    }
    for (let rep = 0; rep < repetitions; rep++) {
      for (const codec of codecs) {
        const topic = `${prefix}${codec}-${rep}`;
        const producer = compressSends(client(), codec).producer({ idempotent: true });
        await producer.connect();
        await producer.send({ topic, messages: messages.slice(0, 10) }); // metadata and connections before the clock
        const before = counted.written;
        const start = performance.now();
        for (let i = 0; i < messages.length; i += perSend) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + perSend) });
        const seconds = (performance.now() - start) / 1000;
        const bytes = counted.written - before;
        await producer.disconnect();
        const previous = best.get(codec);
        best.set(codec, { bytes: Math.min(bytes, previous?.bytes ?? Infinity), rate: Math.max(n / seconds, previous?.rate ?? 0) });
        note(`${codec} rep ${rep + 1}: ${(bytes / 1e6).toFixed(2)} MB written, ${(n / seconds).toFixed(0)} records/s`);
      }
    }
  } finally {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
  }
  const none = best.get('none')!;
  const bytesBase = compared('bytes on the wire, no compression', none.bytes, 'bytes');
  const rateBase = compared('records/s, no compression', none.rate, 'records/s');
  return [
    bytesBase,
    ...codecs.filter((c) => c !== 'none').map((c) => compared(`bytes on the wire, ${c}`, best.get(c)!.bytes, 'bytes', bytesBase)),
    rateBase,
    ...codecs.filter((c) => c !== 'none').map((c) => compared(`records/s, ${c}`, best.get(c)!.rate, 'records/s', rateBase)),
  ];
}

/** Socket factory counting what the client writes (TLS is not used against the local broker). */
function countingSockets(counted: { written: number }): ISocketFactory {
  return ({ host, port, onConnect }) => {
    const socket = net.connect({ host, port }, onConnect);
    const write = socket.write.bind(socket) as (chunk: Buffer, ...rest: unknown[]) => boolean;
    socket.write = ((chunk: Buffer, ...rest: unknown[]) => {
      counted.written += chunk.length;
      return write(chunk, ...rest);
    }) as typeof socket.write;
    return socket;
  };
}

interface Paragraph {
  title: string;
  text: string;
}

function realisticMessages(n: number): Array<{ key: string; value: Buffer }> {
  const paragraphs: Paragraph[] = fs
    .readFileSync(path.join(projectRoot, 'data/hotpotqa/dev_300.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => (JSON.parse(l) as { paragraphs: Paragraph[] }).paragraphs);
  const samples = sampleValues();
  const serde = new SingleObjectSerde();
  const out: Array<{ key: string; value: Buffer }> = [];
  for (let i = 0; out.length < n; i++) {
    const p = paragraphs[i % paragraphs.length];
    const id = `rec-${i}`;
    const kind = i % 4;
    if (kind === 0) {
      const doc: Document = { ...samples['fw.docs'], id, title: p.title, text: p.text, content_hash: randomBytes(16).toString('hex') };
      out.push({ key: id, value: serde.encodeSync('fw.Document', doc) });
    } else if (kind === 1) {
      const cpt: CptSample = { ...samples['fw.cpt.samples'], id, text: `${p.title}\n${p.text}`, approx_tokens: Math.ceil(p.text.length / 4) };
      out.push({ key: id, value: serde.encodeSync('fw.CptSample', cpt) });
    } else if (kind === 2) {
      const base = samples['fw.rollout.trajectories'];
      const steps = [0, 1, 2].map((s) => ({ ...base.steps[0], index: s, tool_response: paragraphs[(i + s) % paragraphs.length].text }));
      const t: Trajectory = { ...base, id, question: `What connects ${p.title}?`, steps: [...steps, { ...base.steps[1], index: 3 }] };
      out.push({ key: id, value: serde.encodeSync('fw.Trajectory', t) });
    } else {
      const call: ToolCall = { ...samples['fw.tool.calls'], id, arguments_json: JSON.stringify({ query: [p.title] }), response: p.text };
      out.push({ key: id, value: serde.encodeSync('fw.ToolCall', call) });
    }
  }
  return out;
}

runIfMain(import.meta.url, 'producer compression on the project records', run);
