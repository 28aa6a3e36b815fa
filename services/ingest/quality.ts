import { words } from '../lib/minhash.ts';

export interface QualityThresholds {
  minWords: number;
  maxSymbolRatio: number;
  maxRepetition: number;
  minFactSentences: number;
}

export interface QualityReport {
  scores: Record<string, number>;
  /** Reason to drop, or undefined when the text passes. */
  reason?: 'too_short' | 'symbol_ratio' | 'repetition' | 'no_facts';
  detail: string;
}

const SYMBOL = /[^\p{L}\p{N}\s.,;:!?'"()\[\]\-–—%$€£/&]/gu;

/** Sentences for filtering purposes (memory has the careful splitter). */
function roughSentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+(?=[\p{Lu}\p{N}"'(])|\n+/u).map((s) => s.trim()).filter(Boolean);
}

/**
 * A checkable statement: a declarative sentence of a few words that names something (a proper name not at
 * the start, or a number/date). Opinions, navigation and questions carry nothing a question could be built on.
 */
export function isCheckableStatement(sentence: string): boolean {
  if (sentence.endsWith('?')) return false;
  const w = sentence.split(/\s+/);
  if (w.length < 4) return false;
  if (/\p{N}/u.test(sentence)) return true;
  return w.slice(1).some((token) => /^[\p{Lu}][\p{Ll}\p{Lu}]/u.test(token)) || /^[\p{Lu}]\p{Ll}+\s+[\p{Lu}]/u.test(sentence);
}

/** Length, symbol ratio, repetition (duplicated word 5-grams) and fact density, in the order they drop. */
export function assessQuality(text: string, t: QualityThresholds): QualityReport {
  const w = words(text);
  const symbols = text.match(SYMBOL)?.length ?? 0;
  const symbolRatio = symbols / Math.max(1, text.length);
  const grams = new Map<string, number>();
  for (let i = 0; i + 5 <= w.length; i++) {
    const g = w.slice(i, i + 5).join(' ');
    grams.set(g, (grams.get(g) ?? 0) + 1);
  }
  const total = Math.max(0, w.length - 4);
  const repetition = total >= 20 ? (total - grams.size) / total : 0;
  const sentences = roughSentences(text);
  const factual = sentences.filter(isCheckableStatement).length;
  const scores = {
    chars: text.length,
    words: w.length,
    symbol_ratio: round(symbolRatio),
    repetition: round(repetition),
    sentences: sentences.length,
    fact_sentences: factual,
    fact_density: round(factual / Math.max(1, sentences.length)),
  };
  if (w.length < t.minWords) return { scores, reason: 'too_short', detail: `${w.length} words < ${t.minWords}` };
  if (symbolRatio > t.maxSymbolRatio) return { scores, reason: 'symbol_ratio', detail: `symbol ratio ${scores.symbol_ratio} > ${t.maxSymbolRatio}` };
  if (repetition > t.maxRepetition) return { scores, reason: 'repetition', detail: `duplicated 5-grams ${scores.repetition} > ${t.maxRepetition}` };
  if (factual < t.minFactSentences) return { scores, reason: 'no_facts', detail: `${factual} checkable statements < ${t.minFactSentences}` };
  return { scores, detail: '' };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
