import { z } from 'zod';
import { PoisonRecordError } from '../platform/errors.ts';
import { defineStage } from '../platform/runtime/stage.ts';

/**
 * Kept documents → CPT text. The paper's continual pre-training mixes the filtered crawl in with the
 * synthesised agentic data; this stage is that path, and the smallest complete example of a stage.
 */
export const cptDocsStage = defineStage({
  name: 'cpt-docs',
  version: '1.0.0',
  description: 'Turns kept documents into plain-text CPT samples (fw.docs → fw.cpt.samples).',
  inputs: ['fw.docs'],
  outputs: ['fw.cpt.samples'],
  config: z.object({
    CPT_DOCS_MIN_CHARS: z.coerce.number().int().min(0).default(80),
  }),
  process(record, ctx) {
    const doc = record.value;
    if (!doc.text.trim()) throw new PoisonRecordError(`document ${doc.id} has empty text`);
    if (doc.text.length < ctx.config.CPT_DOCS_MIN_CHARS) return [ctx.drop('too_short_for_cpt', doc.id, `${doc.text.length} chars`)];
    const text = doc.title ? `${doc.title}\n\n${doc.text}` : doc.text;
    return [ctx.cpt({ origin: 'document', text, key: [doc.id], parents: [doc.id], sourceRound: doc.round })];
  },
});
