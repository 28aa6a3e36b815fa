import type { RawDocument } from '../platform/generated/records.ts';
import type { IngestConfig } from './config.ts';
import { detectLanguage } from './language.ts';
import { assessQuality } from './quality.ts';
import { contentHash, htmlToText, normaliseText, stripTemplateResidue, truncateText } from '../lib/text.ts';

export type CleanResult =
  | { kept: true; title: string; text: string; lang: string; contentHash: string; quality: Record<string, number> }
  | { kept: false; reason: string; detail: string };

/** Raw document → clean text, or the reason it is dropped: boilerplate, language, quality and fact filters. */
export function cleanDocument(raw: RawDocument, config: IngestConfig): CleanResult {
  let title = raw.title.trim();
  let body = raw.body;
  const quality: Record<string, number> = {};
  if (raw.content_type === 'text/html') {
    const page = htmlToText(raw.body, raw.url);
    title ||= page.title;
    body = page.text;
    quality.readability = page.extractor === 'readability' ? 1 : 0;
  }
  const { text, truncated } = truncateText(normaliseText(stripTemplateResidue(body)), config.INGEST_MAX_CHARS);
  if (!text) return { kept: false, reason: 'empty', detail: `no text after cleaning ${raw.content_type}` };
  if (truncated) quality.truncated = 1;
  const lang = detectLanguage(text);
  if (config.INGEST_LANGUAGES.length && !config.INGEST_LANGUAGES.includes(lang)) {
    return { kept: false, reason: 'language', detail: `${lang} not in ${config.INGEST_LANGUAGES.join(',')}` };
  }
  const report = assessQuality(text, {
    minWords: config.INGEST_MIN_WORDS,
    maxSymbolRatio: config.INGEST_MAX_SYMBOL_RATIO,
    maxRepetition: config.INGEST_MAX_REPETITION,
    minFactSentences: config.INGEST_MIN_FACT_SENTENCES,
  });
  if (report.reason) return { kept: false, reason: report.reason, detail: report.detail };
  return { kept: true, title, text, lang, contentHash: contentHash(text), quality: { ...report.scores, ...quality } };
}
