import fs from 'node:fs';
import { expect, it } from 'vitest';
import { generatedFile, generateTypes, unrecordedSchemaVersions } from './gen-types.ts';

it('services/platform/generated/records.ts is up to date with schemas/ (run `npm run gen`)', () => {
  expect(fs.readFileSync(generatedFile, 'utf8')).toBe(generateTypes());
});

it('every current schema version is recorded in schemas/history (run `npm run gen`), so its records stay readable', () => {
  expect(unrecordedSchemaVersions().map((v) => v.file)).toEqual([]);
});
