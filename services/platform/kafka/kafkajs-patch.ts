import { createRequire } from 'node:module';
import { FlywheelError } from '../errors.ts';

const require = createRequire(import.meta.url);

type Message = { offset: string; key: Buffer | null; batchContext: { producerId: string; inTransaction: boolean } };
type Filter = (args: { messages: Message[]; abortedTransactions: Array<{ firstOffset: string; producerId: string }> }) => Message[];

/**
 * kafkajs 2.2.4 hides the records of aborted transactions from read_committed consumers with a filter that marks
 * at most one aborted transaction per record. When two producers' aborted transactions interleave in a partition
 * and a fetch starts after both began — which is what a stage killed mid-batch leaves in its output topics, one
 * transactional producer per input partition — the second one's records are delivered as if committed: duplicates
 * downstream, although the broker did its part. patches/kafkajs+2.2.4.patch (applied by patch-package at install)
 * fixes the filter; this check refuses to run on an unpatched copy.
 */
export function abortedRecordsVisible(filter: Filter = require('kafkajs/src/consumer/filterAbortedMessages')): boolean {
  const record = (offset: number, producerId: string): Message => ({ offset: String(offset), key: null, batchContext: { producerId, inTransaction: true } });
  // producers 1 and 2 both aborted transactions that began at offsets 100 and 101; the fetch starts at 102, where
  // producer 2's record comes first
  const delivered = filter({
    messages: [record(102, '2'), record(103, '1'), record(104, '2')],
    abortedTransactions: [
      { firstOffset: '100', producerId: '1' },
      { firstOffset: '101', producerId: '2' },
    ],
  });
  return delivered.length > 0;
}

let checked = false;

export function assertKafkajsPatched(): void {
  if (checked) return;
  if (abortedRecordsVisible()) {
    throw new FlywheelError(
      'KAFKAJS_UNPATCHED',
      'kafkajs would deliver records of aborted transactions to read_committed consumers; run `npm install` (its postinstall applies patches/ with patch-package) or `npx patch-package`',
    );
  }
  checked = true;
}
