import { defaultMinHash, NearDuplicateIndex, type DuplicateMatch, type IndexedItem } from '../lib/minhash.ts';

/** An input position as the stage writes it in `first_seen`: `topic/partition@offset`. */
export interface InputPosition {
  topic: string;
  partition: number;
  offset: bigint;
}

export const formatPosition = (p: InputPosition) => `${p.topic}/${p.partition}@${p.offset}`;

export function parsePosition(text: string): InputPosition | undefined {
  const match = /^(.+)\/(\d+)@(\d+)$/.exec(text);
  return match ? { topic: match[1], partition: Number(match[2]), offset: BigInt(match[3]) } : undefined;
}

interface Kept extends IndexedItem {
  offset: bigint;
}

/** The kept documents of one input partition, and the offset order they were kept in. */
class PartitionState {
  index: NearDuplicateIndex;
  /** By content hash. */
  readonly kept = new Map<string, Kept>();
  /** Offset of the last record this instance saw here (or the one before the first, right after loading). */
  last = -1n;

  constructor(private readonly threshold: number) {
    this.index = new NearDuplicateIndex(defaultMinHash, threshold);
  }

  add(item: Kept): void {
    if (this.kept.has(item.key)) return; // the same text twice in what was read: the first stands
    this.kept.set(item.key, item);
    this.index.add(item);
  }

  /** Forgets what was kept at or past `offset`: decisions of a transaction that did not commit, about to be made again. */
  rewind(offset: bigint): void {
    const all = [...this.kept.values()];
    if (!all.some((k) => k.offset >= offset)) return;
    const keep = all.filter((k) => k.offset < offset).sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
    this.kept.clear();
    this.index = new NearDuplicateIndex(defaultMinHash, this.threshold);
    for (const k of keep) this.add(k);
  }
}

/**
 * Exact and near-duplicate decisions that depend on the input topic's content only, not on timing or on how
 * partitions are spread over consumers: a record is compared with the documents kept before it on its own input
 * partition, whose order is fixed. The producer (ingestPaths) puts near duplicates it can see on one partition;
 * pairs it did not co-locate are both kept, by every instance alike.
 *
 * An instance holds the state of the partitions it works on only. A partition's state is loaded from the state
 * topic (every kept document's signature and the position that kept it) when the instance first needs it, and
 * again whenever another instance may have decided records of it since (see `ready`); while an instance owns a
 * partition, it is the only one writing that partition's state, so what it decides itself keeps the state whole.
 */
export class PartitionedDedup {
  private readonly partitions = new Map<number, PartitionState>();

  constructor(private readonly threshold = 0.8) {}

  /** Documents held, over all partitions. */
  get size(): number {
    let n = 0;
    for (const p of this.partitions.values()) n += p.kept.size;
    return n;
  }

  /** Partitions whose state is held. */
  get held(): number[] {
    return [...this.partitions.keys()];
  }

  /**
   * Called first for every input record. False when the partition's state must be loaded before deciding: it is
   * not held, or the record does not follow the last one this instance saw there (another instance decided those
   * in between). A record at or before the last one (an aborted transaction's, read again) is fine: what this
   * instance kept at or past it is forgotten.
   */
  ready(at: InputPosition): boolean {
    const state = this.partitions.get(at.partition);
    if (!state || at.offset > state.last + 1n) return false;
    if (at.offset <= state.last) state.rewind(at.offset);
    state.last = at.offset;
    return true;
  }

  /** The partition's state as of the record at `at`: `kept` are the state topic's signatures with that partition in `first_seen`. */
  load(at: InputPosition, kept: IndexedItem[]): void {
    const state = new PartitionState(this.threshold);
    const items = kept.map((k) => ({ ...k, offset: parsePosition(k.firstSeen)!.offset })).filter((k) => k.offset < at.offset);
    for (const item of items.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0))) state.add(item);
    state.last = at.offset;
    this.partitions.set(at.partition, state);
  }

  /** Lets go of the partitions not in `partitions` (after a rebalance): loaded again if they come back. */
  retainOnly(partitions: readonly number[]): void {
    for (const p of this.partitions.keys()) if (!partitions.includes(p)) this.partitions.delete(p);
  }

  /** The earlier document of the record's partition it duplicates, if any; otherwise it is kept (and remembered). */
  decide(at: InputPosition, candidate: Omit<IndexedItem, 'firstSeen'>): DuplicateMatch | undefined {
    const state = this.partitions.get(at.partition);
    if (!state) throw new Error(`dedup state of partition ${at.partition} is not loaded`);
    const firstSeen = formatPosition(at);
    const duplicate = state.index.findDuplicate({ ...candidate, firstSeen });
    if (!duplicate) state.add({ ...candidate, firstSeen, offset: at.offset });
    return duplicate;
  }
}
