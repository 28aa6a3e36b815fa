import fs from 'node:fs';
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

  // Known gap (reported): the catalog knows only the schemas/ files of its own image, so after a field is
  // added, every record the previous image wrote has an unknown fingerprint and is dead-lettered
  // (DECODE_FAILED) instead of being resolved. Fix: keep earlier versions (e.g. schemas/history/*.avsc) and
  // register them as writers at load, or run with SCHEMA_REGISTRY_URL (the registry keeps every version).
  it.fails('the new image reads what the previous image wrote (known gap: no writer-schema history)', async () => {
    const bytes = await writtenByPreviousImage();
    const doc = await createSerde().decode<Record<string, unknown>>(bytes, 'fw.Document', 'fw.docs');
    expect(doc[removed.name]).toEqual(removed.default);
  });
});
