import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import type { Action, Question, RlGroup } from '../platform/generated/records.ts';
import { recordMeta } from '../platform/records.ts';
import { sampleTrajectory } from '../../test/fixtures/trajectories.ts';
import { agentItems, generalItems, mixStages, summariseThought } from './mixtures.ts';
import { renderOpenAi, renderTags, toolCallTag } from './render.ts';
import { verlRlRows, verlSftRows, writeVerlRl, writeVerlSft } from './verl.ts';

const meta = (id: string) => recordMeta({ id, round: 1, producer: { service: 'test', version: '0', instance: '' }, now: Date.UTC(2026, 0, 2) });
const question = (id: string, text: string, answer: string): Question => ({
  ...meta(id), question: text, answer, style: 'factual', evidence: [], entity_ids: [], operations: [], difficulty: 1, cluster_id: '', strategy: 'template', llm: null,
});
const reasoning = (questionId: string): Action => ({
  ...meta(`act_${questionId}`), question_id: questionId, kind: 'reasoning', items: ['Break it down.', 'Check the dates.'], preliminary_answer: 'maybe', final_answer: 'Paris', text: '', llm: null,
});
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'fw-export-'));

describe('OpenAI chat rendering', () => {
  it('writes tool calls with JSON-string arguments answered by tool turns', () => {
    const t = sampleTrajectory();
    const { messages, tools } = renderOpenAi(t);
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'tool', 'assistant']);
    const call = messages[2].tool_calls![0];
    expect(typeof call.function.arguments).toBe('string');
    expect(JSON.parse(call.function.arguments)).toEqual({ query: ['Plan 9 from Outer Space director'] });
    expect(call).toMatchObject({ type: 'function', function: { name: 'search' } });
    expect(messages[3]).toMatchObject({ role: 'tool', tool_call_id: call.id, content: t.steps[0].tool_response });
    expect(messages[2].reasoning_content).toBe(t.steps[0].thought);
    expect(messages[6]).toMatchObject({ role: 'assistant', content: 'Glen or Glenda', reasoning_content: 'The page names it.' });
    expect(tools!.map((x) => x.function.name)).toEqual(expect.arrayContaining(['search', 'visit', 'PythonInterpreter']));
    expect(messages[0].content).toContain('Current date: 2026-01-02');
  });
});

describe('Tongyi tag rendering', () => {
  it('puts tool results in user turns and the answer in <answer>', () => {
    const messages = renderTags(sampleTrajectory());
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
    expect(messages[0].content).toContain('<tools>\n{"type":"function","function":{"name":"PythonInterpreter"');
    expect(messages[0].content).toContain('\n{"type":"function","function":{"name":"google_scholar"');
    expect(messages[2].content).toBe('<think>\nI should find out who directed Plan 9 from Outer Space.\n</think>\n<tool_call>\n{"name":"search","arguments":{"query":["Plan 9 from Outer Space director"]}}\n</tool_call>');
    expect(messages[3].content.startsWith('<tool_response>\n')).toBe(true);
    expect(messages[3].content.endsWith('\n</tool_response>')).toBe(true);
    expect(messages[6].content).toBe('<think>\nThe page names it.\n</think>\n<answer>Glen or Glenda</answer>');
  });

  it('sends python code in a <code> block with empty arguments', () => {
    expect(toolCallTag('PythonInterpreter', JSON.stringify({ code: 'print(1+1)' }))).toBe('<tool_call>\n{"name":"PythonInterpreter","arguments":{}}\n<code>\nprint(1+1)\n</code>\n</tool_call>');
  });
});

describe('SFT mixtures', () => {
  const general = generalItems([question('q_a', 'Capital of France?', 'Paris'), question('q_b', 'Largest planet?', 'Jupiter')], [reasoning('q_a')], 'openai');
  const agent = agentItems([sampleTrajectory(), sampleTrajectory({ id: 'traj_2' })], 'openai');

  it('builds general chat from reasoning actions, else plain question/answer pairs', () => {
    expect(general[0].sample.messages[1]).toEqual({ role: 'assistant', content: 'Paris', reasoning_content: 'Break it down.\nCheck the dates.' });
    expect(general[1].sample.messages[1]).toEqual({ role: 'assistant', content: 'Jupiter' });
    expect(generalItems([question('q_a', 'Capital of France?', 'Paris')], [reasoning('q_a')], 'tongyi')[0].sample.messages[1].content).toBe('<think>\nBreak it down.\nCheck the dates.\n</think>\nParis');
  });

  it('sft-a: general chat first, agent data second', () => {
    const [one, two] = mixStages('sft-a', general, agent, 's');
    expect(one.items.map((i) => i.kind)).toEqual(['general', 'general']);
    expect(two.items.map((i) => i.kind)).toEqual(['agent', 'agent']);
  });

  it('sft-b: both stages mixed, shorter half first, nothing lost, deterministic', () => {
    const stages = mixStages('sft-b', general, agent, 's');
    const all = stages.flatMap((s) => s.items.map((i) => i.source_id)).sort();
    expect(all).toEqual([...general, ...agent].map((i) => i.source_id).sort());
    expect(stages[0].items.every((i) => i.kind === 'general')).toBe(true); // general chat is shorter than trajectories here
    expect(mixStages('sft-b', general, agent, 's')).toEqual(stages);
    const many = agentItems(Array.from({ length: 6 }, (_, i) => sampleTrajectory({ id: `t${i}` })), 'openai');
    const mixed = mixStages('sft-b', [...general, ...general], many, 's');
    expect(new Set(mixed[1].items.map((i) => i.kind)).size + new Set(mixed[0].items.map((i) => i.kind)).size).toBeGreaterThan(2);
  });

  it('sft-c: agent thoughts summarised to one short sentence', () => {
    expect(summariseThought('First I look. Then I read a lot more.')).toBe('First I look.');
    expect(summariseThought('x'.repeat(300)).length).toBe(158);
    const [item] = agentItems([sampleTrajectory({ steps: sampleTrajectory().steps.map((s) => ({ ...s, thought: `${s.thought} And a second sentence.` })) })], 'openai', true);
    expect(item.sample.messages[2].reasoning_content).toBe('I should find out who directed Plan 9 from Outer Space.');
  });
});

describe('verl parquet', () => {
  it('writes SFT rows that read back identically', async () => {
    const rows = verlSftRows(agentItems([sampleTrajectory()], 'tongyi'), 2);
    const file = path.join(tmp(), 'sft.parquet');
    writeVerlSft(file, rows);
    const back = await parquetReadObjects({ file: toArrayBuffer(fs.readFileSync(file)) });
    expect(back).toEqual(rows);
    expect(back[0].messages[3].content).toContain('<tool_response>');
  });

  it('writes RL rows with data_source, prompt, ability, reward_model and extra_info', async () => {
    const group: RlGroup = {
      ...meta('grp_1'), question_id: 'q1', question: 'Who directed Plan 9?', ground_truth: 'Ed Wood', question_style: 'factual',
      trajectory_ids: ['t1', 't2', 't3'], rewards: [1, 0, 1], advantages: [0.5, -1, 0.5], loss_mask: [true, true, true], pass_count: 2, answerability: 'useful',
    };
    const rows = verlRlRows([group]);
    const file = path.join(tmp(), 'rl.parquet');
    writeVerlRl(file, rows);
    const [row] = await parquetReadObjects({ file: toArrayBuffer(fs.readFileSync(file)) });
    expect(row).toEqual(rows[0]);
    expect(row).toMatchObject({
      data_source: 'flywheel/factual', ability: 'deep_research', reward_model: { style: 'rule', ground_truth: 'Ed Wood' },
      extra_info: { split: 'train', index: 0, question_id: 'q1', group_id: 'grp_1', group_size: 3, pass_count: 2, round: 1 },
    });
    expect(row.prompt.map((m: { role: string }) => m.role)).toEqual(['system', 'user']);
    expect(row.prompt[1].content).toBe('Who directed Plan 9?');
  });

  it('writes a valid empty file for an empty round', async () => {
    const file = path.join(tmp(), 'empty.parquet');
    writeVerlRl(file, []);
    expect(await parquetReadObjects({ file: toArrayBuffer(fs.readFileSync(file)) })).toEqual([]);
  });
});

function toArrayBuffer(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}
