import type { Document } from '../../services/platform/generated/records.ts';
import { contentId } from '../../services/platform/records.ts';
import { sampleValues } from '../fixtures/records.ts';

/** Input documents for the reliability runs, and the cpt-docs output id each must produce exactly once. */
export function makeDocs(prefix: string, from: number, count: number): Document[] {
  const base = sampleValues()['fw.docs'];
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    return {
      ...base,
      id: `doc_${prefix}_${n}`,
      title: `Document ${n}`,
      text: `Document number ${n} of the reliability run. `.repeat(4),
      content_hash: `h${n}`,
      created_at: 1_700_000_000_000 + n,
    };
  });
}

export function cptIdOf(doc: Pick<Document, 'id'>): string {
  return contentId('cpt', 'document', doc.id);
}
