import { decodeHTML } from 'entities';

export interface QaParagraph {
  title: string;
  text: string;
}

const paragraph = (title: unknown, text: unknown): QaParagraph => ({ title: decodeHTML(String(title ?? '')), text: decodeHTML(String(text ?? '')) });

/**
 * The paragraphs of one multi-hop QA item, or undefined when the object is not one. Two layouts:
 * `paragraphs: [{title, text}]` (the bundled HotpotQA slice, IRCoT style) and HotpotQA's original
 * `context: [[title, [sentence, …]]]`. HotpotQA's Wikipedia dump left HTML entities escaped ("Hall &amp; Oates"); they
 * are decoded.
 */
export function qaParagraphs(record: Record<string, unknown>): QaParagraph[] | undefined {
  if (Array.isArray(record.paragraphs)) {
    return record.paragraphs
      .filter((p): p is { title?: unknown; text?: unknown; paragraph_text?: unknown } => !!p && typeof p === 'object')
      .map((p) => paragraph(p.title, p.text ?? p.paragraph_text))
      .filter((p) => p.text.trim());
  }
  if (Array.isArray(record.context) && record.context.every((c) => Array.isArray(c) && c.length === 2)) {
    return (record.context as Array<[unknown, unknown]>)
      .map(([title, sentences]) => paragraph(title, Array.isArray(sentences) ? sentences.map(String).join('').trim() : sentences))
      .filter((p) => p.text);
  }
  return undefined;
}
