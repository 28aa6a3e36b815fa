import fs from 'node:fs';
import path from 'node:path';
import type { Serde } from '../platform/avro/serde.ts';
import type { TopicNames } from '../platform/catalogue.ts';
import type { PlatformConfig } from '../platform/config.ts';
import type { KafkaCluster, OutgoingRecord } from '../platform/kafka/cluster.ts';
import type { DocSignature, Drop, RawDocument } from '../platform/generated/records.ts';
import { contentId, recordMeta } from '../platform/records.ts';
import { describeError, expandInputs, readerFor, type InputError, type RawInput } from '../lib/readers/index.ts';
import { NearDuplicateRouter } from './routing.ts';

/** What ingestPaths needs: the CLI context satisfies it. */
export interface IngestContext {
  kafka: KafkaCluster;
  names: TopicNames;
  serde: Serde;
  config: Pick<PlatformConfig, 'FLYWHEEL_ROUND' | 'INSTANCE_ID'>;
}

export interface IngestProgress {
  file: string;
  files: number;
  filesDone: number;
  bytesTotal: number;
  bytesDone: number;
  records: number;
  errors: number;
}

export interface IngestPathsOptions {
  onProgress?(progress: IngestProgress): void;
  /** Called for every malformed input (after it is counted); reading goes on. */
  onError?(error: InputError): void;
  /** Bytes of message values per produce request. */
  maxRequestBytes?: number;
  /**
   * Read fw.ingest.signatures first, so that a near duplicate of a document an earlier run kept goes to the
   * partition that kept it (default true; off, only this run's near duplicates are put together).
   */
  routeToKept?: boolean;
}

export interface IngestSummary {
  topic: string;
  files: string[];
  /** Arguments that matched no readable file. */
  unmatched: string[];
  /** Raw documents produced, by source kind. */
  produced: Record<string, number>;
  records: number;
  /** Inputs readers passed over on purpose (redirects, non-HTML WARC records…), by reason. */
  skipped: Record<string, number>;
  errors: InputError[];
  /** Documents sent to where an earlier near duplicate went, so the ingest stage compares them. */
  colocated: number;
  seconds: number;
}

/** Larger bodies are cut before they are produced (the stage keeps far less); keeps messages under the broker's 1 MB. */
const MAX_BODY_CHARS = 200_000;
const producer = { service: 'ingest-cli', version: '1.0.0' };

/** Raw document id: a hash of what was read, so reading the same source twice produces the same records. */
export function rawId(doc: RawInput): string {
  return contentId('raw', doc.source_kind, doc.content_type, doc.title, doc.body);
}

/** Records in the first produce request (the later ones take up to 500): the stage gets to work while the rest is read. */
const FIRST_REQUEST_RECORDS = 50;

/**
 * Reads files, folders and globs with the reader for each format and produces fw.ingest.raw records, keyed by
 * content, except that a near duplicate of an earlier document goes where that one went (NearDuplicateRouter):
 * repeats and near duplicates meet on one partition of the ingest stage, which decides them in partition order.
 * Malformed inputs are reported with file and line, counted on fw.drops as `malformed_input`, and skipped;
 * everything else is sent.
 * Cleaning, filtering and deduplication happen in the ingest stage, which scales with its consumer group.
 */
export async function ingestPaths(paths: string[], ctx: IngestContext, options: IngestPathsOptions = {}): Promise<IngestSummary> {
  const started = Date.now();
  const { files, unmatched } = expandInputs(paths);
  const rawTopic = ctx.names.physical('fw.ingest.raw');
  const dropsTopic = ctx.names.physical('fw.drops');
  const summary: IngestSummary = { topic: rawTopic, files: files.map(display), unmatched, produced: {}, records: 0, skipped: {}, errors: [], colocated: 0, seconds: 0 };
  const progress: IngestProgress = { file: '', files: files.length, filesDone: 0, bytesTotal: files.reduce((s, f) => s + fs.statSync(f).size, 0), bytesDone: 0, records: 0, errors: 0 };
  const router = new NearDuplicateRouter();
  if (options.routeToKept ?? true) await loadKept(ctx, router);
  const out = ctx.kafka.producer();
  const meta = (id: string) => recordMeta({ id, round: ctx.config.FLYWHEEL_ROUND, producer: { ...producer, instance: ctx.config.INSTANCE_ID } });
  let pending: OutgoingRecord[] = [];
  let pendingDrops: OutgoingRecord[] = [];
  let pendingBytes = 0;
  // one request in flight while the next is read and encoded; the first one small, so that consumers start early
  let sending: Promise<void> = Promise.resolve();
  let requests = 0;
  const flush = async () => {
    if (pending.length === 0 && pendingDrops.length === 0) return;
    const batches = [
      { topic: rawTopic, records: pending },
      { topic: dropsTopic, records: pendingDrops },
    ];
    pending = [];
    pendingDrops = [];
    pendingBytes = 0;
    requests++;
    await sending;
    sending = out.send(batches);
    sending.catch(() => undefined); // handled where it is awaited: at the next flush or the end
  };
  try {
    for (const file of files) {
      const name = display(file);
      const fileStart = progress.bytesDone;
      progress.file = name;
      for await (const item of readerFor(file)!(file, name)) {
        if (item.kind === 'progress') {
          progress.bytesDone = fileStart + item.bytes;
          options.onProgress?.({ ...progress });
        } else if (item.kind === 'skip') {
          summary.skipped[item.reason] = (summary.skipped[item.reason] ?? 0) + 1;
        } else if (item.kind === 'error') {
          summary.errors.push(item.error);
          progress.errors++;
          options.onError?.(item.error);
          const drop = malformedDrop(item.error, meta);
          pendingDrops.push({ key: drop.subject_id, value: await ctx.serde.encode('fw.Drop', drop, dropsTopic) });
        } else {
          const doc = { ...item.doc, body: item.doc.body.slice(0, MAX_BODY_CHARS) };
          const id = rawId(doc);
          const value: RawDocument = { ...meta(id), ...doc };
          const encoded = await ctx.serde.encode('fw.RawDocument', value, rawTopic);
          const route = router.route(doc, id);
          pending.push({ key: route.key ?? id, value: encoded, partition: route.partition });
          pendingBytes += encoded.length;
          summary.produced[doc.source_kind] = (summary.produced[doc.source_kind] ?? 0) + 1;
          summary.records++;
          progress.records++;
          if (pendingBytes > (options.maxRequestBytes ?? 512 * 1024) || pending.length >= (requests === 0 ? FIRST_REQUEST_RECORDS : 500)) await flush();
        }
      }
      await flush();
      progress.filesDone++;
      progress.bytesDone = fileStart + fs.statSync(file).size;
      options.onProgress?.({ ...progress });
    }
    await flush();
    await sending;
  } finally {
    await sending.catch(() => undefined);
    await out.close();
  }
  summary.colocated = router.colocated;
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}

async function loadKept(ctx: IngestContext, router: NearDuplicateRouter): Promise<void> {
  const topic = ctx.names.physical('fw.ingest.signatures');
  for (const record of await ctx.kafka.readTopic(topic)) {
    if (record.value) router.remember(await ctx.serde.decode<DocSignature>(record.value, 'fw.DocSignature', topic));
  }
}

function malformedDrop(error: InputError, meta: (id: string) => ReturnType<typeof recordMeta>): Drop {
  const subject = contentId('input', error.file, error.line ?? 0, error.message);
  return { ...meta(contentId('drop', 'ingest', 'malformed_input', subject)), stage: 'ingest', reason: 'malformed_input', subject_id: subject, detail: describeError(error) };
}

function display(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') ? file : relative;
}
