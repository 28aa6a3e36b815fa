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
  /** Offset of the last record this instance decided here (undefined: none since it was loaded). */
  last?: bigint;

  constructor(private readonly threshold: number) {
    this.index = new NearDuplicateIndex(defaultMinHash, threshold);
  }

  add(item: Kept): void {
    if (this.kept.has(item.key)) return; // already held: this instance's own write, read back from the state topic
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
 * An instance learns a partition's earlier decisions from the state topic (every kept document's signature and
 * the position that kept it). Before deciding a record that does not directly follow the last one it decided on
 * that partition — its first record there, or the first after a rebalance or an aborted transaction — the caller
 * must bring the state topic up to date (what the previous owner committed), see `advance`.
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

  /** A kept document's signature from the state topic (or from this instance); `firstSeen` says which partition it belongs to. */
  add(item: IndexedItem): void {
    const at = parsePosition(item.firstSeen);
    if (at) this.state(at.partition).add({ ...item, offset: at.offset });
  }

  /**
   * Called for every input record, before anything is decided for it. Returns true when the record does not
   * directly follow the last one this instance saw on the partition: what this instance kept at or past it is
   * forgotten (an aborted transaction's), and the caller must sync the state topic before deciding.
   */
  advance(at: InputPosition): boolean {
    const state = this.state(at.partition);
    const jump = state.last === undefined || at.offset !== state.last + 1n;
    if (jump) state.rewind(at.offset);
    state.last = at.offset;
    return jump;
  }

  /** The earlier document of the record's partition it duplicates, if any; otherwise it is kept (and remembered). */
  decide(at: InputPosition, candidate: Omit<IndexedItem, 'firstSeen'>): DuplicateMatch | undefined {
    const state = this.state(at.partition);
    const firstSeen = formatPosition(at);
    const duplicate = state.index.findDuplicate({ ...candidate, firstSeen });
    if (!duplicate) state.add({ ...candidate, firstSeen, offset: at.offset });
    return duplicate;
  }

  private state(partition: number): PartitionState {
    let state = this.partitions.get(partition);
    if (!state) {
      state = new PartitionState(this.threshold);
      this.partitions.set(partition, state);
    }
    return state;
  }
}
