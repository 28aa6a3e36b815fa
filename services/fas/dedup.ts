import { MinHasher, NearDuplicateIndex, type MinHashOptions } from '../lib/minhash.ts';

/** Questions are short: word 3-grams, 64 hash functions in 16 bands (candidates from about 0.5 similarity). */
const QUESTION_MINHASH: MinHashOptions = { permutations: 64, bands: 16, shingleSize: 3 };

export const questionKey = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/** The near-duplicate state of emitted questions. */
export class QuestionIndex {
  private readonly index: NearDuplicateIndex;
  private readonly hasher = new MinHasher(QUESTION_MINHASH);

  constructor(threshold: number) {
    this.index = new NearDuplicateIndex(QUESTION_MINHASH, threshold);
  }

  /** The earlier question `text` duplicates, unless `position` is where that question was first kept (a replay). */
  duplicateOf(text: string, position: string) {
    return this.index.findDuplicate({ key: questionKey(text), signature: this.hasher.signature(text), firstSeen: position });
  }

  add(id: string, text: string, position: string): void {
    this.index.add({ id, key: questionKey(text), signature: this.hasher.signature(text), firstSeen: position });
  }
}
