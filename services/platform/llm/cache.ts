import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sha256, stableJson } from '../records.ts';
import type { ChatResponse } from './types.ts';

/** Everything that decides a reply: the same key means the same request, so a stored reply may stand in for it. */
export interface CacheKeyParts {
  model: string;
  messages: unknown;
  tools: unknown;
  params: Record<string, unknown>;
  seed: number | undefined;
}

export function cacheKey(parts: CacheKeyParts): string {
  return sha256(stableJson({ v: 1, ...parts, seed: parts.seed ?? null }));
}

type StoredResponse = Omit<ChatResponse, 'cached'>;

/**
 * Replies on disk, one JSON file per request hash (sharded by the first two hex digits). Writes go to a temp
 * file and are renamed into place, so a crash never leaves a half-written entry and concurrent writers of the
 * same key are harmless (same content).
 */
export class ResponseCache {
  constructor(readonly dir: string) {}

  get(key: string): StoredResponse | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const entry = JSON.parse(text) as { key: string; response: StoredResponse };
      return entry.key === key ? entry.response : undefined;
    } catch {
      return undefined; // unreadable entry: treated as a miss and overwritten by the next reply
    }
  }

  set(key: string, response: StoredResponse): void {
    const file = this.file(key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(temp, JSON.stringify({ key, stored_at: new Date().toISOString(), response }));
    fs.renameSync(temp, file);
  }

  private file(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }
}
