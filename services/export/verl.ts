import fs from 'node:fs';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { RlGroup } from '../platform/generated/records.ts';
import type { SftItem } from './mixtures.ts';
import { isoDate, tagSystemPrompt, toolSignatures, knownTools } from './prompts.ts';

/**
 * verl datasets as Parquet.
 * - SFT (multi-turn SFT dataset, `data.multiturn.messages_key=messages`): `messages` list<struct<role, content>>
 *   in the tag format (tool results are user turns, so the trainer's assistant-only loss masks observations),
 *   `data_source`, `extra_info` struct<kind, source_id, stage, index>.
 * - RL (RLHF dataset): `data_source`, `prompt` list<struct<role, content>> (system + question), `ability`,
 *   `reward_model` struct<style, ground_truth> (style "rule": answer correctness, no format reward), and
 *   `extra_info` struct<split, index, question_id, group_id, round, question_style, group_size, pass_count>.
 */
type SchemaElement = Parameters<typeof parquetWriteBuffer>[0]['schema'] extends (infer E)[] | undefined ? E : never;

const str = (name: string): SchemaElement => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
const int = (name: string): SchemaElement => ({ name, type: 'INT32', repetition_type: 'OPTIONAL' });
const struct = (name: string, fields: SchemaElement[]): SchemaElement[] => [{ name, repetition_type: 'OPTIONAL', num_children: fields.length }, ...fields];
const messageList = (name: string): SchemaElement[] => [
  { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
  str('role'),
  str('content'),
];

export interface VerlSftRow {
  messages: Array<{ role: string; content: string }>;
  data_source: string;
  extra_info: { kind: string; source_id: string; stage: number; index: number };
}

export interface VerlRlRow {
  data_source: string;
  prompt: Array<{ role: string; content: string }>;
  ability: string;
  reward_model: { style: string; ground_truth: string };
  extra_info: { split: string; index: number; question_id: string; group_id: string; round: number; question_style: string; group_size: number; pass_count: number };
}

export function verlSftRows(items: SftItem[], stage: number, dataSource = 'flywheel'): VerlSftRow[] {
  return items.map((item, index) => ({
    messages: item.sample.messages.map((m) => ({ role: m.role, content: m.content })),
    data_source: `${dataSource}/${item.kind}`,
    extra_info: { kind: item.kind, source_id: item.source_id, stage, index },
  }));
}

export function verlRlRows(groups: RlGroup[], dataSource = 'flywheel'): VerlRlRow[] {
  return groups.map((g, index) => ({
    data_source: `${dataSource}/${g.question_style || 'qa'}`,
    prompt: [
      { role: 'system', content: tagSystemPrompt(toolSignatures(Object.keys(knownTools)), isoDate(g.created_at)) },
      { role: 'user', content: g.question },
    ],
    ability: 'deep_research',
    reward_model: { style: 'rule', ground_truth: g.ground_truth },
    extra_info: {
      split: 'train',
      index,
      question_id: g.question_id,
      group_id: g.id,
      round: g.round,
      question_style: g.question_style,
      group_size: g.trajectory_ids.length,
      pass_count: g.pass_count,
    },
  }));
}

export function writeVerlSft(file: string, rows: VerlSftRow[]): void {
  const schema: SchemaElement[] = [
    { name: 'root', num_children: 3 },
    ...messageList('messages'),
    str('data_source'),
    ...struct('extra_info', [str('kind'), str('source_id'), int('stage'), int('index')]),
  ];
  write(file, schema, [
    { name: 'messages', data: rows.map((r) => r.messages) },
    { name: 'data_source', data: rows.map((r) => r.data_source) },
    { name: 'extra_info', data: rows.map((r) => r.extra_info) },
  ]);
}

export function writeVerlRl(file: string, rows: VerlRlRow[]): void {
  const schema: SchemaElement[] = [
    { name: 'root', num_children: 5 },
    str('data_source'),
    ...messageList('prompt'),
    str('ability'),
    ...struct('reward_model', [str('style'), str('ground_truth')]),
    ...struct('extra_info', [str('split'), int('index'), str('question_id'), str('group_id'), int('round'), str('question_style'), int('group_size'), int('pass_count')]),
  ];
  write(file, schema, [
    { name: 'data_source', data: rows.map((r) => r.data_source) },
    { name: 'prompt', data: rows.map((r) => r.prompt) },
    { name: 'ability', data: rows.map((r) => r.ability) },
    { name: 'reward_model', data: rows.map((r) => r.reward_model) },
    { name: 'extra_info', data: rows.map((r) => r.extra_info) },
  ]);
}

function write(file: string, schema: SchemaElement[], columnData: Array<{ name: string; data: unknown[] }>): void {
  const buffer = parquetWriteBuffer({ schema, columnData: columnData as Parameters<typeof parquetWriteBuffer>[0]['columnData'] });
  fs.writeFileSync(file, Buffer.from(buffer));
}
