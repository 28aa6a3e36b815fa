import fs from 'node:fs';
import { createRequire } from 'node:module';
import { FlywheelError } from '../errors.ts';

const require = createRequire(import.meta.url);

type Message = { offset: string; key: Buffer | null; batchContext: { producerId: string; inTransaction: boolean } };
type Filter = (args: { messages: Message[]; abortedTransactions: Array<{ firstOffset: string; producerId: string }> }) => Message[];

/**
 * kafkajs 2.2.4 hides the records of aborted transactions from read_committed consumers with a filter that has two
 * faults, both of which deliver aborted records as if committed — duplicates downstream, although the broker did
 * its part (a librdkafka reader sees each record once). It walks the broker's list of aborted transactions in the
 * order given, but the broker lists them in the order they ended (abort markers), not the order they began; and
 * it marks at most one aborted transaction per record, while a stage killed mid-batch leaves several interleaved
 * ones (one transactional producer per input partition). patches/kafkajs+2.2.4.patch (applied by patch-package at install) sorts the list and marks every
 * transaction that has begun, as the Java client does; this check refuses to run on an unpatched copy.
 */
export function abortedRecordsVisible(filter: Filter = require('kafkajs/src/consumer/filterAbortedMessages')): boolean {
  const record = (offset: number, producerId: string): Message => ({ offset: String(offset), key: null, batchContext: { producerId, inTransaction: true } });
  // two aborted transactions began before the fetch (at 100 and 101); producer 2's record comes first
  const interleaved = filter({
    messages: [record(102, '2'), record(103, '1'), record(104, '2')],
    abortedTransactions: [
      { firstOffset: '100', producerId: '1' },
      { firstOffset: '101', producerId: '2' },
    ],
  });
  // the broker listed the transaction that began at 200 after the one that began at 300
  const unsorted = filter({
    messages: [record(205, '2'), record(206, '2')],
    abortedTransactions: [
      { firstOffset: '100', producerId: '1' },
      { firstOffset: '300', producerId: '3' },
      { firstOffset: '200', producerId: '2' },
    ],
  });
  return interleaved.length + unsorted.length > 0;
}

/**
 * The same patch makes a producer send keep what it has done per partition, not per broker (kafkajs 2.2.4 keyed it
 * by broker): after a partition's leader died, its records went to a broker that had already answered for its own
 * partitions and were never sent, while the send — and the transaction — succeeded; and a retry that began while
 * a sibling request was in flight sent that sibling's records twice. Only a multi-broker cluster shows either
 * (test/cluster found both).
 */
export function retrySendsInFlightRecords(source: string = fs.readFileSync(require.resolve('kafkajs/src/producer/sendMessages.js'), 'utf8')): boolean {
  return !(source.includes('Promise.allSettled(requests)') && source.includes('acknowledged.has(partitionKey(topic, partition))'));
}

let checked = false;

export function assertKafkajsPatched(): void {
  if (checked) return;
  const unpatched = [
    abortedRecordsVisible() && 'would deliver records of aborted transactions to read_committed consumers',
    retrySendsInFlightRecords() && 'would lose or duplicate records of a send when a partition leader changes or one broker of several fails',
  ].filter(Boolean);
  if (unpatched.length) {
    throw new FlywheelError(
      'KAFKAJS_UNPATCHED',
      `kafkajs ${unpatched.join(' and ')}; run \`npm install\` (its postinstall applies patches/ with patch-package) or \`npx patch-package\``,
    );
  }
  checked = true;
}
