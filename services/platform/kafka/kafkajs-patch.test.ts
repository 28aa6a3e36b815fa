import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { abortedRecordsVisible, assertKafkajsPatched, retrySendsInFlightRecords } from './kafkajs-patch.ts';

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

  it('detects each of the two faults of the unpatched filter (it is what delivered the duplicates)', () => {
    type Args = { messages: Array<{ offset: string; batchContext: { producerId: string } }>; abortedTransactions: Array<{ firstOffset: string; producerId: string }> };
    const filter = (options: { sort: boolean; all: boolean }) => ({ messages, abortedTransactions }: Args) => {
      const remaining = [...abortedTransactions];
      if (options.sort) remaining.sort((a, b) => Number(BigInt(a.firstOffset) - BigInt(b.firstOffset)));
      const open = new Set<string>();
      return messages.filter((m) => {
        while (remaining.length && BigInt(m.offset) >= BigInt(remaining[0].firstOffset)) {
          open.add(remaining.shift()!.producerId);
          if (!options.all) break;
        }
        return !open.has(m.batchContext.producerId);
      });
    };
    expect(abortedRecordsVisible(filter({ sort: false, all: false }) as never)).toBe(true); // kafkajs 2.2.4
    expect(abortedRecordsVisible(filter({ sort: true, all: false }) as never)).toBe(true);
    expect(abortedRecordsVisible(filter({ sort: false, all: true }) as never)).toBe(true);
    expect(abortedRecordsVisible(filter({ sort: true, all: true }) as never)).toBe(false);
  });
});

describe('kafkajs producer retry (patches/kafkajs+2.2.4.patch)', () => {
  it('waits for every broker of a send before retrying the ones that failed', () => {
    expect(retrySendsInFlightRecords()).toBe(false);
    // the unpatched line: a retry could begin while a sibling broker's request was still in flight
    expect(retrySendsInFlightRecords('const requests = await createProducerRequests(responsePerBroker)\n        await Promise.all(requests)')).toBe(true);
  });
});
