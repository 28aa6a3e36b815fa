import fs from 'node:fs';
import { expect, it } from 'vitest';
import { generatedFile, generateTypes } from './gen-types.ts';

it('services/platform/generated/records.ts is up to date with schemas/ (run `npm run gen`)', () => {
  expect(fs.readFileSync(generatedFile, 'utf8')).toBe(generateTypes());
});
