/**
 * SQuAD-style answer normalisation and scores (lower-case, strip punctuation and the articles a/an/the,
 * collapse whitespace), as HotpotQA's official evaluation does it.
 */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .replace(/\b(a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function exactMatch(prediction: string, reference: string): number {
  return normalizeAnswer(prediction) === normalizeAnswer(reference) ? 1 : 0;
}

/** Token-level F1. Like HotpotQA's script, yes/no/noanswer only score when both sides agree exactly. */
export function tokenF1(prediction: string, reference: string): number {
  const p = normalizeAnswer(prediction);
  const r = normalizeAnswer(reference);
  const special = new Set(['yes', 'no', 'noanswer']);
  if ((special.has(p) || special.has(r)) && p !== r) return 0;
  const predTokens = p.split(' ').filter(Boolean);
  const refTokens = r.split(' ').filter(Boolean);
  if (predTokens.length === 0 || refTokens.length === 0) return predTokens.length === refTokens.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of refTokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of predTokens) {
    const left = counts.get(t) ?? 0;
    if (left > 0) {
      common++;
      counts.set(t, left - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / predTokens.length;
  const recall = common / refTokens.length;
  return (2 * precision * recall) / (precision + recall);
}
