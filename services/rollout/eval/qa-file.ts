import fs from 'node:fs';
import path from 'node:path';
import type { Document, Question } from '../../platform/generated/records.ts';
import { contentId, recordMeta } from '../../platform/records.ts';
import { qaParagraphs } from '../../lib/readers/qa.ts';
import { contentHash, normaliseText } from '../../lib/text.ts';

export interface QaItem {
  line: number;
  id: string;
  question: string;
  answer: string;
  type: string;
  paragraphs: Array<{ title: string; text: string }>;
}

/** Reads a HotpotQA-style JSONL file (question, answer, paragraphs or context, type); names the bad line on error. */
export function readQaFile(file: string, limit = Infinity): QaItem[] {
  const items: QaItem[] = [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length && items.length < limit; i++) {
    const raw = lines[i].trim();
    if (!raw) continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(raw) as Record<string, unknown>;
    } catch (error) {
      throw new Error(`${file}:${i + 1}: not JSON (${(error as Error).message})`);
    }
    const answer = Array.isArray(record.answer) ? String(record.answer[0] ?? '') : String(record.answer ?? '');
    if (typeof record.question !== 'string' || !record.question.trim() || !answer.trim()) throw new Error(`${file}:${i + 1}: needs "question" and "answer"`);
    items.push({
      line: i + 1,
      id: String(record.id ?? record._id ?? `line-${i + 1}`),
      question: record.question.trim(),
      answer,
      type: typeof record.type === 'string' && record.type ? record.type : 'external',
      paragraphs: qaParagraphs(record) ?? [],
    });
  }
  return items;
}

const producer = { service: 'eval', version: '1.0.0', instance: '' };

/**
 * The items' paragraphs as fw.docs documents, one per distinct text. Ids follow ingest's rule (content hash of
 * the normalised text), so the same paragraph ingested by `flywheel ingest` gets the same id.
 */
export function qaDocuments(items: QaItem[], file: string, round: number): { docs: Document[]; docIdsByItem: Map<string, string[]> } {
  const docs = new Map<string, Document>();
  const docIdsByItem = new Map<string, string[]>();
  const source = path.basename(file);
  for (const item of items) {
    const ids: string[] = [];
    for (const p of item.paragraphs) {
      const text = normaliseText(p.text);
      if (!text) continue;
      const hash = contentHash(text);
      const id = contentId('doc', hash);
      ids.push(id);
      if (!docs.has(id)) {
        docs.set(id, {
          ...recordMeta({ id, round, producer }),
          source_kind: 'qa',
          source_uri: `${source}:${item.line}`,
          url: '',
          title: p.title,
          text,
          lang: 'en',
          content_hash: hash,
          quality: {},
        });
      }
    }
    docIdsByItem.set(item.id, ids);
  }
  return { docs: [...docs.values()], docIdsByItem };
}

/** An item as a fw.Question (style = the item's type, e.g. bridge / comparison), derived from its paragraphs. */
export function qaQuestion(item: QaItem, file: string, docIds: string[], round: number): Question {
  const id = contentId('question', 'qa-file', path.basename(file), item.id, item.question);
  return {
    ...recordMeta({ id, round, producer, parents: docIds }),
    question: item.question,
    answer: item.answer,
    style: item.type,
    evidence: [],
    entity_ids: [],
    operations: [],
    difficulty: 1,
    cluster_id: '',
    strategy: 'external',
    llm: null,
  };
}
