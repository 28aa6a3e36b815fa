import { Worker } from 'node:worker_threads';
import { TransientError } from '../../platform/errors.ts';
import type { Document } from '../../platform/generated/records.ts';
import type { ThreadOptions } from './thread-serve.ts';
import type { Extraction, FactExtractor } from './types.ts';

interface Thread {
  worker: Worker;
  pending: Map<number, { resolve(e: Extraction): void; reject(error: unknown): void }>;
}

/**
 * The NLP strategy on worker threads (MEMORY_EXTRACT_THREADS): the same NlpExtractor, so the same facts, computed
 * off the stage's event loop. compromise's tagging is most of the memory stage's CPU and holds the one thread that
 * also runs the Kafka client, serde and the other stages of the process; here it runs beside them. Each document
 * goes to the thread with the fewest waiting. A thread that dies fails its documents with a retriable error (the
 * runtime retries them) and is replaced.
 */
export class ExtractorPool implements FactExtractor {
  readonly name = 'nlp' as const;
  private readonly threads: Thread[] = [];
  private next = 0;
  private closed = false;
  private referenced = true;

  constructor(
    size: number,
    private readonly options: ThreadOptions,
  ) {
    for (let i = 0; i < size; i++) this.threads.push(this.spawn());
  }

  extract(doc: Document): Promise<Extraction> {
    const thread = this.threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.next++;
    return new Promise<Extraction>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, title: doc.title, text: doc.text });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  /** Whether the threads keep the process alive (an idle shared pool must not). */
  ref(on: boolean): void {
    this.referenced = on;
    for (const t of this.threads) {
      if (on) t.worker.ref();
      else t.worker.unref();
    }
  }

  private spawn(): Thread {
    const worker = new Worker(new URL('./thread.mjs', import.meta.url), { workerData: this.options });
    const thread: Thread = { worker, pending: new Map() };
    if (!this.referenced) worker.unref();
    worker.on('message', (m: { id: number; extraction?: Extraction; error?: string }) => {
      const waiting = thread.pending.get(m.id);
      thread.pending.delete(m.id);
      if (m.error !== undefined) waiting?.reject(new Error(m.error));
      else waiting?.resolve(m.extraction!);
    });
    let failure = '';
    worker.on('error', (error) => (failure = `: ${error.message}`));
    worker.on('exit', (code) => {
      for (const w of thread.pending.values()) w.reject(new TransientError(`extraction thread exited with ${code}${failure}`));
      thread.pending.clear();
      const at = this.threads.indexOf(thread);
      if (!this.closed && at >= 0) this.threads[at] = this.spawn();
    });
    return thread;
  }
}

const shared = new Map<string, { pool: ExtractorPool; users: number }>();

/**
 * The process's pool for these options, shared by the memory stages of the process and kept (idle, not keeping the
 * process alive) when the last one stops: a stage restarted in the same process finds its threads loaded and their
 * code compiled, as an in-process extractor finds the main thread's.
 */
export function sharedExtractorPool(size: number, options: ThreadOptions): FactExtractor & { close(): Promise<void> } {
  const key = JSON.stringify([size, options]);
  let entry = shared.get(key);
  if (!entry) shared.set(key, (entry = { pool: new ExtractorPool(size, options), users: 0 }));
  const { pool } = entry;
  if (entry.users++ === 0) pool.ref(true);
  let released = false;
  return {
    name: 'nlp',
    extract: (doc) => pool.extract(doc),
    close: async () => {
      if (released) return;
      released = true;
      if (--entry.users === 0) pool.ref(false);
    },
  };
}
