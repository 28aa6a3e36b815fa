import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SchemaCatalog } from '../../services/platform/avro/schemas.ts';
import { createSerde } from '../../services/platform/avro/serde.ts';
import { schemasDir } from '../../services/platform/paths.ts';
import { sampleValues } from '../fixtures/records.ts';

/**
 * Rolling out a schema version (runbook: "add fields with defaults; readers first"). The image before the
 * change wrote fw.Document without its last defaulted field; the image after it must still read those records,
 * which are in the topics when it starts.
 */
const current = JSON.parse(fs.readFileSync(path.join(schemasDir, 'fw.Document.avsc'), 'utf8'));
const defaulted = current.fields.filter((f: { default?: unknown }) => 'default' in f);
const removed = defaulted[defaulted.length - 1];
const previous = { ...current, fields: current.fields.filter((f: { name: string }) => f.name !== removed.name) };

function writtenByPreviousImage(): Promise<Buffer> {
  const oldCatalog = SchemaCatalog.load();
  oldCatalog.addSchema(previous, 'reader');
  const { [removed.name]: _dropped, ...value } = sampleValues()['fw.docs'] as unknown as Record<string, unknown>;
  return createSerde({ catalog: oldCatalog }).encode('fw.Document', value, 'fw.docs');
}

describe('reliability: schema rollout without a schema registry', () => {
  it('the previous version is a compatible writer: a reader that knows it fills in the default', async () => {
    const bytes = await writtenByPreviousImage();
    const catalog = SchemaCatalog.load();
    catalog.addSchema(previous, 'writer');
    const doc = await createSerde({ catalog }).decode<Record<string, unknown>>(bytes, 'fw.Document', 'fw.docs');
    expect(doc[removed.name]).toEqual(removed.default);
  });

  // Without a registry, earlier versions live in schemas/history (recorded by `npm run gen`, checked by
  // scripts/gen-types.test.ts); the catalog loads them as writers.
  it('the new image reads what the previous image wrote, once that version is in schemas/history', async () => {
    const bytes = await writtenByPreviousImage();
    await expect(createSerde().decode(bytes, 'fw.Document', 'fw.docs')).rejects.toThrow(/unknown writer schema fingerprint/);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-schemas-'));
    fs.cpSync(schemasDir, dir, { recursive: true });
    const recorded = SchemaCatalog.load();
    const old = recorded.addSchema(previous);
    const file = SchemaCatalog.historyFile(dir, old);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, old.canonical);
    const doc = await createSerde({ catalog: SchemaCatalog.load(dir) }).decode<Record<string, unknown>>(bytes, 'fw.Document', 'fw.docs');
    expect(doc[removed.name]).toEqual(removed.default);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
