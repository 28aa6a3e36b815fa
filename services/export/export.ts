import fs from 'node:fs';
import path from 'node:path';
import type { TopicName, TopicValues } from '../platform/generated/records.ts';
import { ContaminationFilter } from '../decontam/verdicts.ts';
import { closedManifest } from '../rounds/manifest.ts';
import { readRoundRecords, type RoundReaderContext } from '../rounds/read-round.ts';
import { agentItems, generalItems, mixStages, type MixtureName, type MixtureStage } from './mixtures.ts';
import { type ChatFormat } from './render.ts';
import { verlRlRows, verlSftRows, writeVerlRl, writeVerlSft } from './verl.ts';

export const exportFormats = ['cpt-jsonl', 'openai-sft-jsonl', 'verl-sft-parquet', 'verl-rl-parquet'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export interface ExportOptions {
  round: number;
  format: ExportFormat;
  out: string;
  /** SFT formats only: one of the paper's SFT-A/B/C mixtures (general chat + agent data in two stages). */
  mixture?: MixtureName;
  /** openai-sft-jsonl only: `openai` (tool_calls) or `tongyi` (tag format). */
  chatFormat?: ChatFormat;
}

export interface ExportResult {
  round: number;
  format: ExportFormat;
  files: Array<{ path: string; rows: number }>;
  /** Records of the round's ranges that were read, per topic. */
  read: Record<string, number>;
  /** Records with an id seen earlier in the range (redelivered duplicates), skipped. */
  duplicates: number;
  /** Records left out because they (or their question or a parent) have an open decontamination verdict. */
  contaminated: number;
}

/** Writes exactly the records of round `round`'s manifest in a trainer's format. */
export async function exportRound(ctx: RoundReaderContext, options: ExportOptions): Promise<ExportResult> {
  const manifest = await closedManifest(ctx, options.round);
  fs.mkdirSync(options.out, { recursive: true });
  const result: ExportResult = { round: options.round, format: options.format, files: [], read: {}, duplicates: 0, contaminated: 0 };
  // the filter is read once the round is closed, so verdicts written after the close (a set registered later) count too
  const contamination = await ContaminationFilter.load(ctx);
  const load = async <T extends TopicName>(topic: T): Promise<Array<TopicValues[T]>> => {
    const records = (await readRoundRecords(manifest, topic, ctx)).map((r) => r.value);
    result.read[topic] = records.length;
    const unique = uniqueById(records as Array<{ id: string }>);
    result.duplicates += records.length - unique.length;
    const { kept, removed } = contamination.keep(unique);
    result.contaminated += removed;
    return kept as Array<TopicValues[T]>;
  };
  const file = (name: string) => path.join(options.out, name);
  const base = `round-${options.round}`;

  if (options.format === 'cpt-jsonl') {
    const samples = await load('fw.cpt.samples');
    const lines = samples.map((s) => ({ id: s.id, text: s.text, origin: s.origin, round: s.round, source_round: s.source_round, approx_tokens: s.approx_tokens }));
    result.files.push(writeJsonl(file(`cpt.${base}.jsonl`), lines));
  } else if (options.format === 'verl-rl-parquet') {
    const rows = verlRlRows(await load('fw.rl.groups'));
    writeVerlRl(file(`rl.${base}.parquet`), rows);
    result.files.push({ path: file(`rl.${base}.parquet`), rows: rows.length });
  } else {
    // verl's multi-turn SFT reads plain role/content strings, so parquet always uses the tag format
    const chat: ChatFormat = options.format === 'verl-sft-parquet' ? 'tongyi' : (options.chatFormat ?? 'openai');
    const trajectories = await load('fw.sft.trajectories');
    const stages: MixtureStage[] = options.mixture
      ? mixStages(options.mixture, generalItems(await load('fw.fas.questions'), await load('fw.fas.actions'), chat), agentItems(trajectories, chat, options.mixture === 'sft-c'), base)
      : [{ stage: 1, items: agentItems(trajectories, chat) }];
    for (const { stage, items } of stages) {
      const name = options.mixture ? `sft.${base}.${options.mixture}.stage${stage}` : `sft.${base}`;
      if (options.format === 'verl-sft-parquet') {
        writeVerlSft(file(`${name}.parquet`), verlSftRows(items, stage));
        result.files.push({ path: file(`${name}.parquet`), rows: items.length });
      } else {
        result.files.push(writeJsonl(file(`${name}.jsonl`), items.map((i) => ({ ...i.sample, metadata: { kind: i.kind, source_id: i.source_id, stage } }))));
      }
    }
  }
  return result;
}

function uniqueById<T extends { id: string }>(records: T[]): T[] {
  const seen = new Set<string>();
  return records.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
}

function writeJsonl(file: string, rows: unknown[]): { path: string; rows: number } {
  fs.writeFileSync(file, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return { path: file, rows: rows.length };
}
