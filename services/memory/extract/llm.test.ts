import { describe, expect, it } from 'vitest';
import type { Document } from '../../platform/generated/records.ts';
import { scriptedClient } from '../../../test/fixtures/knowledge-llm.ts';
import { LlmExtractor } from './llm.ts';

const doc = { id: 'doc_1', title: 'Ed Wood', text: 'Ed Wood was an American filmmaker. He directed Plan 9 from Outer Space in 1957.' } as Document;

describe('LLM fact extraction', () => {
  it('maps validated structured output to facts with explicit relations and usage', async () => {
    const client = scriptedClient({
      facts: [
        { entity: 'Ed Wood', type: 'Person', statement: 'Ed Wood directed Plan 9 from Outer Space in 1957.', related: [{ entity: 'Plan 9 from Outer Space', relation: 'directed' }] },
        { entity: 'Ed Wood', type: 'person', statement: 'Ed Wood won three Academy Awards for cinematography in Paris.' },
      ],
    });
    const result = await new LlmExtractor(client).extract(doc);
    expect(result.facts).toHaveLength(1);
    expect(result.facts[0]).toMatchObject({ entityName: 'Ed Wood', entityType: 'person', related: [{ name: 'Plan 9 from Outer Space', relation: 'directed' }] });
    expect(result.rejected).toBe(1); // the unsupported statement
    expect(result.llm).toMatchObject({ model: 'scripted', input_tokens: 100, output_tokens: 40 });
    expect(result.llm!.prompt_template_hash).toMatch(/^[0-9a-f]{16}$/);
    expect(client.requests[0]).toMatchObject({ purpose: 'memory', schemaName: 'memory_facts' });
  });

  it('rejects output that does not match the schema', async () => {
    await expect(new LlmExtractor(scriptedClient({ facts: [{ statement: 'no entity here at all' }] })).extract(doc)).rejects.toThrow();
  });
});
