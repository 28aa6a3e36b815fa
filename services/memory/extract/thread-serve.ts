import type { MessagePort } from 'node:worker_threads';
import type { Document } from '../../platform/generated/records.ts';
import { EntityIds } from '../entity-id.ts';
import { NlpExtractor } from './nlp.ts';

export interface ThreadOptions {
  aliases: string;
  maxSentences: number;
}

/** The thread side of ExtractorPool: one NlpExtractor answering {id, title, text} with {id, extraction} or {id, error}. */
export function serveExtractions(port: MessagePort, options: ThreadOptions): void {
  const extractor = new NlpExtractor(new EntityIds(options.aliases), options.maxSentences);
  port.on('message', async ({ id, title, text }: { id: number; title: string; text: string }) => {
    try {
      port.postMessage({ id, extraction: await extractor.extract({ title, text } as Document) });
    } catch (error) {
      port.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  });
}
