/** One partition of one (physical) topic. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** A map keyed by topic-partition (value identity, not object identity). */
export class PartitionMap<V> {
  private readonly entries = new Map<string, { tp: TopicPartition; value: V }>();

  private static key({ topic, partition }: TopicPartition): string {
    return `${partition}\u0000${topic}`;
  }

  get(tp: TopicPartition): V | undefined {
    return this.entries.get(PartitionMap.key(tp))?.value;
  }

  set(tp: TopicPartition, value: V): void {
    this.entries.set(PartitionMap.key(tp), { tp: { topic: tp.topic, partition: tp.partition }, value });
  }

  delete(tp: TopicPartition): boolean {
    return this.entries.delete(PartitionMap.key(tp));
  }

  get size(): number {
    return this.entries.size;
  }

  *[Symbol.iterator](): IterableIterator<[TopicPartition, V]> {
    for (const { tp, value } of this.entries.values()) yield [tp, value];
  }

  values(): V[] {
    return [...this.entries.values()].map((e) => e.value);
  }
}

export function describePartition({ topic, partition }: TopicPartition): string {
  return `${topic}[${partition}]`;
}
