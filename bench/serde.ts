import fs from 'node:fs';
import path from 'node:path';
import { SingleObjectSerde } from '../services/platform/avro/serde.ts';
import { schemaCatalog } from '../services/platform/avro/schemas.ts';
import { assertValid } from '../services/platform/avro/validate.ts';
import type { Document, Trajectory } from '../services/platform/generated/records.ts';
import { projectRoot } from '../services/platform/paths.ts';
import { contentId, recordMeta, sha256 } from '../services/platform/records.ts';
import { compareOps, compared, envInt, note, runIfMain, type BenchResult } from './lib.ts';

/**
 * Avro single-object encoding (the platform serde) against JSON.stringify/parse on the same realistic records:
 * a fw.Document of ~1 KB text and a fw.Trajectory of 6 steps. Encoding is split into its validation
 * (assertValid) and the avsc write, so the table shows where the time goes.
 */

const producer = { service: 'bench', version: '1.0.0', instance: 'bench' };

let paragraphs: string[] | undefined;
/** Paragraphs of the bundled HotpotQA sample (CC BY-SA 4.0, see data/README.md): real encyclopedic prose. */
function corpus(): string[] {
  if (paragraphs) return paragraphs;
  const file = path.join(projectRoot, 'data/hotpotqa/dev_300.jsonl');
  paragraphs = fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .flatMap((line) => (JSON.parse(line) as { paragraphs: Array<{ text: string }> }).paragraphs.map((p) => p.text))
        .filter((t) => t.length > 200)
    : Array.from({ length: 64 }, (_, i) => `Synthetic paragraph ${i}: `.padEnd(400, 'the quick brown fox jumps over the lazy dog. '));
  return paragraphs;
}

/** `bytes` UTF-8 bytes of prose starting at paragraph `seed` (cut on a character boundary). */
function prose(seed: number, bytes: number): string {
  const texts = corpus();
  let text = '';
  for (let i = seed; Buffer.byteLength(text) < bytes; i++) text += (text ? ' ' : '') + texts[i % texts.length];
  text = text.slice(0, bytes);
  while (Buffer.byteLength(text) > bytes) text = text.slice(0, -1);
  return text;
}

/**
 * A fw.Document whose single-object Avro encoding is `targetBytes` long (±2), with real text; `index` varies
 * the content, so ids and hashes differ between records.
 */
export function benchDocument(index: number, targetBytes = 1024): Document {
  const make = (text: string): Document => ({
    ...recordMeta({ id: contentId('doc', 'bench', index), round: 1, producer, now: 1_764_000_000_000 + index }),
    source_kind: 'jsonl',
    source_uri: `data/hotpotqa/dev_300.jsonl:${index}`,
    url: '',
    title: `Bench document ${index}`,
    text,
    lang: 'en',
    content_hash: sha256(text),
    quality: { length: text.length, symbol_ratio: 0.01, repetition: 0.02 },
  });
  const serde = new SingleObjectSerde();
  const overhead = serde.encodeSync('fw.Document', make('')).length + 2; // + the longer length prefix of a real text
  return make(prose(index * 7, Math.max(0, targetBytes - overhead)));
}

const tools = ['search', 'visit', 'search', 'visit', 'python'];

/** A fw.Trajectory of a ReAct rollout: 5 tool steps with real page text as responses, then the answer. */
export function benchTrajectory(index: number): Trajectory {
  const question = 'Who has won more Grand Slam women\'s doubles titles, Lisa Raymond or Liezel Huber?';
  const steps: Trajectory['steps'] = tools.map((tool, i) => ({
    index: i,
    thought: `Step ${i}: I need ${tool === 'search' ? 'to find pages about the two players' : tool === 'visit' ? 'to read the page for the exact title count' : 'to compare the two counts'}.`,
    report: '',
    tool_call: {
      name: tool,
      arguments_json: JSON.stringify(tool === 'search' ? { query: ['Liezel Huber Grand Slam titles', 'Lisa Raymond doubles titles'] } : tool === 'visit' ? { url: `local://doc/${index}-${i}`, goal: 'title count' } : { code: 'print(max(7, 11))' }),
    },
    tool_response: tool === 'python' ? '11\n' : prose(index + i * 3, tool === 'search' ? 400 : 700),
    answer: null,
    input_tokens: 900 + i * 350,
    output_tokens: 60 + i * 5,
  }));
  steps.push({ index: steps.length, thought: 'Raymond has 11 Grand Slam titles, Huber 7.', report: '', tool_call: null, tool_response: '', answer: 'Lisa Raymond', input_tokens: 3000, output_tokens: 40 });
  return {
    ...recordMeta({ id: contentId('traj', 'bench', index), round: 1, producer, parents: [`q_${index}`], now: 1_764_000_000_000 + index }),
    question_id: `q_${index}`,
    question,
    reference_answer: 'Lisa Raymond',
    question_style: 'multi_hop',
    group_id: `g_${index}`,
    rollout_index: index % 8,
    mode: 'react',
    steps,
    prediction: 'Lisa Raymond',
    termination: 'answered',
    reward: 1,
    judge: { kind: 'f1', correct: true, em: 1, f1: 1, rationale: 'exact match' },
    policy: { model: 'scripted', model_version: 'v0', temperature: 0.85, top_p: 0.95, repetition_penalty: 1.1, max_steps: 8 },
    tool_call_count: tools.length,
    disposition: 'sft',
    llm: { model: 'scripted', endpoint: '', prompt_template_hash: 'bench', input_tokens: 10_000, output_tokens: 400, calls: 6, cached_calls: 0, cost_usd: 0 },
    quality_label: 'grounded',
    quality_detail: '',
  };
}

let sink = 0; // keeps results alive so the engine cannot skip the work

function measureRecord(label: string, schemaName: string, value: object, totalMs: number): BenchResult[] {
  const serde = new SingleObjectSerde();
  const schema = schemaCatalog().get(schemaName);
  const avroBytes = serde.encodeSync(schemaName, value);
  const json = JSON.stringify(value);
  if (JSON.stringify(serde.decodeSync(avroBytes, schemaName)) !== json) throw new Error(`${schemaName}: Avro round trip changed the record`);

  note(`serde: ${label} (${avroBytes.length} B Avro, ${Buffer.byteLength(json)} B JSON)`);
  const ops = compareOps(
    {
      jsonRoundTrip: () => (sink += (JSON.parse(JSON.stringify(value)) as { round: number }).round),
      avroRoundTrip: () => (sink += serde.decodeSync<{ round: number }>(serde.encodeSync(schemaName, value), schemaName).round),
      jsonEncode: () => (sink += JSON.stringify(value).length),
      avroEncode: () => (sink += serde.encodeSync(schemaName, value).length),
      avroWrite: () => (sink += schema.type.toBuffer(value).length),
      validate: () => {
        assertValid(schemaName, schema.type, value);
        sink++;
      },
      jsonDecode: () => (sink += (JSON.parse(json) as { round: number }).round),
      avroDecode: () => (sink += serde.decodeSync<{ round: number }>(avroBytes, schemaName).round),
    },
    { totalMs, rounds: 5 },
  );
  const { jsonRoundTrip, avroRoundTrip, jsonEncode, avroEncode, avroWrite, validate, jsonDecode, avroDecode } = ops;

  const micros = (opsPerSecond: number) => 1e6 / opsPerSecond;
  const encodeCost = { name: `${label}: Avro encode (serde)`, value: micros(avroEncode) };
  return [
    compared(`${label}: Avro encode+decode (serde)`, avroRoundTrip, 'ops/s', { name: `${label}: JSON.stringify+parse`, value: jsonRoundTrip }),
    compared(`${label}: Avro encode (serde)`, avroEncode, 'ops/s', { name: `${label}: JSON.stringify`, value: jsonEncode }),
    compared(`${label}: Avro decode (serde)`, avroDecode, 'ops/s', { name: `${label}: JSON.parse`, value: jsonDecode }),
    compared(`${label}: Avro size`, avroBytes.length, 'B/record', { name: `${label}: JSON size`, value: Buffer.byteLength(json) }),
    // Where one encode's time goes: the ratio is the part's share of the whole (the rest is the header and copy).
    { ...encodeCost, unit: 'µs/op' },
    compared(`${label}: … of which assertValid`, micros(validate), 'µs/op', encodeCost),
    compared(`${label}: … of which avsc toBuffer`, micros(avroWrite), 'µs/op', encodeCost),
  ];
}

export async function run(): Promise<BenchResult[]> {
  const totalMs = envInt('BENCH_SERDE_MS', 1000);
  const results = [
    ...measureRecord('Document 1KB', 'fw.Document', benchDocument(1), totalMs),
    ...measureRecord('Trajectory 6 steps', 'fw.Trajectory', benchTrajectory(1), totalMs),
  ];
  if (sink === 0) note('(sink empty)');
  return results;
}

runIfMain(import.meta.url, 'serde: Avro single-object vs JSON (ratio = Avro / JSON)', run);
