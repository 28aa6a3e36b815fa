import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { abortedRecordsVisible, assertKafkajsPatched } from './kafkajs-patch.ts';

const require = createRequire(import.meta.url);

describe('kafkajs aborted-transaction filter (patches/kafkajs+2.2.4.patch)', () => {
  it('hides every aborted transaction that began before the fetch, however many producers interleave', () => {
    expect(abortedRecordsVisible()).toBe(false);
    expect(() => assertKafkajsPatched()).not.toThrow();
  });

  it('keeps committed records of the same producers after their abort markers', () => {
    const filter = require('kafkajs/src/consumer/filterAbortedMessages');
    const abortMarker = (offset: number, producerId: string) => ({ offset: String(offset), key: Buffer.from([0, 0, 0, 0]), batchContext: { producerId, inTransaction: true }, isControlRecord: true });
    const record = (offset: number, producerId: string) => ({ offset: String(offset), key: null, batchContext: { producerId, inTransaction: true } });
    const delivered = filter({
      messages: [record(102, '1'), record(103, '2'), abortMarker(104, '1'), abortMarker(105, '2'), record(106, '1'), record(107, '2')],
      abortedTransactions: [
        { firstOffset: '100', producerId: '1' },
        { firstOffset: '101', producerId: '2' },
      ],
    });
    expect(delivered.filter((m: { isControlRecord?: boolean }) => !m.isControlRecord).map((m: { offset: string }) => m.offset)).toEqual(['106', '107']);
  });

  it('the unpatched filter (one aborted transaction per record) is what delivered the duplicates', () => {
    const unpatched = ({ messages, abortedTransactions }: { messages: Array<{ offset: string; batchContext: { producerId: string } }>; abortedTransactions: Array<{ firstOffset: string; producerId: string }> }) => {
      const remaining = [...abortedTransactions];
      const open = new Set<string>();
      return messages.filter((m) => {
        if (remaining.length && BigInt(m.offset) >= BigInt(remaining[0].firstOffset)) open.add(remaining.shift()!.producerId);
        return !open.has(m.batchContext.producerId);
      });
    };
    expect(abortedRecordsVisible(unpatched as never)).toBe(true);
  });
});
