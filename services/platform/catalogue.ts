import fs from 'node:fs';
import path from 'node:path';
import { schemasDir } from './paths.ts';

export interface TopicSpec {
  name: string;
  /** Field of the value used as the Kafka message key. */
  key: string;
  /** Full name of the value's Avro schema. */
  value: string;
  partitions: number;
  replicationFactor: number;
  cleanupPolicy: 'delete' | 'compact';
  retentionMs: number;
  description: string;
}

interface CatalogueFile {
  defaults: Pick<TopicSpec, 'partitions' | 'replicationFactor' | 'cleanupPolicy' | 'retentionMs'>;
  topics: Array<Partial<TopicSpec> & Pick<TopicSpec, 'name' | 'key' | 'value' | 'description'>>;
}

/** The topic catalogue (schemas/topics.json): every topic flywheel reads or writes. */
export class TopicCatalogue {
  private readonly specs: Map<string, TopicSpec>;

  constructor(specs: TopicSpec[]) {
    this.specs = new Map(specs.map((s) => [s.name, s]));
  }

  static load(file: string = path.join(schemasDir, 'topics.json')): TopicCatalogue {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as CatalogueFile;
    return new TopicCatalogue(parsed.topics.map((t) => ({ ...parsed.defaults, ...t }) as TopicSpec));
  }

  get(name: string): TopicSpec {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`topic ${name} is not in the catalogue (schemas/topics.json)`);
    return spec;
  }

  all(): TopicSpec[] {
    return [...this.specs.values()];
  }
}

let loaded: TopicCatalogue | undefined;
export function topicCatalogue(): TopicCatalogue {
  loaded ??= TopicCatalogue.load();
  return loaded;
}

/** Maps catalogue names to the physical topic names of one deployment (TOPIC_PREFIX). */
export class TopicNames {
  constructor(readonly prefix: string = '') {}

  physical(name: string): string {
    return this.prefix + name;
  }

  logical(physical: string): string {
    return this.prefix && physical.startsWith(this.prefix) ? physical.slice(this.prefix.length) : physical;
  }
}
