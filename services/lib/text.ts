import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { sha256 } from '../platform/records.ts';

/** Unicode NFC, no control characters, spaces collapsed inside lines, at most one blank line between paragraphs. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u00ad\u200b\ufeff]/g, '')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Residue of templates a dump rendered empty, as in the bundled HotpotQA paragraphs: a pronunciation template
 * left as `{'1': ", '2': ", '3': ", '4': "}`, or as "( ; born …" / "(] ; born …" with nothing before the semicolon.
 */
export function stripTemplateResidue(text: string): string {
  return text
    .replace(/,?\s*\{'\d+': "(?:, '\d+': ")*\}/g, '')
    .replace(/\(\s*\]?\s*[;,]\s*/g, '(')
    .replace(/\s*\(\s*\)/g, '');
}

/** The exact-duplicate key: case and whitespace do not make a document new. */
export function contentHash(text: string): string {
  return sha256(text.toLowerCase().replace(/\s+/g, ' ').trim());
}

/** Cuts `text` to at most `maxChars`, at a paragraph or sentence boundary when one is near the end. */
export function truncateText(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  const head = text.slice(0, maxChars);
  const cut = Math.max(head.lastIndexOf('\n'), head.lastIndexOf('. ') + 1);
  return { text: (cut > maxChars * 0.6 ? head.slice(0, cut) : head).trim(), truncated: true };
}

const PARAGRAPH = '\ue000';
const BLOCKS = 'p,div,section,article,li,tr,h1,h2,h3,h4,h5,h6,blockquote,pre,br,dd,dt,td,th,table,ul,ol';

/**
 * Boilerplate removal: Readability picks the main content of the page (linkedom gives it a DOM without a
 * browser); block elements become line breaks so sentences of different paragraphs never run together. Pages
 * where Readability finds no article fall back to the body text minus scripts, styles and navigation.
 */
export function htmlToText(html: string, url = ''): { title: string; text: string; extractor: 'readability' | 'body' } {
  const { document } = parseHTML(html);
  const pageTitle = document.querySelector('title')?.textContent?.trim() ?? '';
  let article: ReturnType<Readability['parse']> = null;
  try {
    article = new Readability(document.cloneNode(true) as unknown as ConstructorParameters<typeof Readability>[0], { charThreshold: 200 }).parse();
  } catch {
    article = null;
  }
  if (article?.content) {
    const text = blockText(article.content);
    if (text.length >= 200) return { title: article.title?.trim() || pageTitle, text, extractor: 'readability' };
  }
  for (const el of document.querySelectorAll('script,style,noscript,nav,header,footer,aside,form,iframe,svg')) el.remove();
  const body = document.querySelector('body');
  void url;
  return { title: pageTitle, text: body ? blockText(body.innerHTML) : '', extractor: 'body' };
}

function blockText(fragment: string): string {
  const { document } = parseHTML(`<!doctype html><html><body>${fragment}</body></html>`);
  for (const el of document.querySelectorAll('script,style,noscript')) el.remove();
  // source line breaks are layout, not structure: collapse them, then break lines only after block elements
  for (const el of document.querySelectorAll(BLOCKS)) el.after(document.createTextNode(PARAGRAPH));
  const text = (document.querySelector('body')?.textContent ?? '').replace(/\s+/g, ' ').split(PARAGRAPH).join('\n');
  return normaliseText(text);
}

export const STOPWORDS = new Set(
  `a an and are as at be been but by can could did do does for from had has have he her his how i if in into is it its
  of on or she so than that the their them then there these they this to was were what when where which who whom whose
  why will with would you your also both either neither between same more most less least which's did does any other`
    .split(/\s+/)
    .filter(Boolean),
);

/** Lower-cased content words of a text (letters and digits, no stopwords). */
export function queryTerms(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((t) => !STOPWORDS.has(t));
}
