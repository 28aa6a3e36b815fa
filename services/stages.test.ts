import { expect, it } from 'vitest';
import { stageConfigVariables, stages } from './stages.ts';

it('lists every variable the stages read, for the round config hash', () => {
  const variables = stageConfigVariables();
  expect(variables).toEqual(expect.arrayContaining(['HAS_OPTIONS', 'ROLLOUT_G', 'FAS_STRATEGY', 'MEMORY_EXTRACTOR', 'CPT_DOCS_MIN_CHARS']));
  expect(new Set(variables).size).toBe(variables.length);
  expect(stages.every((s) => !s.config || variables.some((v) => v in (s.config as unknown as { shape: object }).shape))).toBe(true);
});
