import { splitSentences } from '../corpus/text.ts';
import { askedPair, attributeOverlap, attributeTerms, containsPhrase, speaksOf } from '../quality/attribute.ts';
import { choiceOptions, isYesNo, numericComparison, pageFor, pairedEntities, type PageEvidence } from './extract.ts';
import { yearGap } from './year-gap.ts';

function quote(sentence: string): string {
  return sentence.length > 220 ? `${sentence.slice(0, 217)}…` : sentence;
}

/** The sentence of `page` that best speaks of the attribute (and contains `must`, when given). */
function bestSentence(page: PageEvidence, attribute: string[], must?: string): string | undefined {
  const sentences = splitSentences(page.text).filter((s) => !must || containsPhrase(s, must));
  return [...sentences].sort((a, b) => attributeOverlap(b, attribute) - attributeOverlap(a, attribute))[0];
}

/**
 * The scripted policy's final thought: the answer with the evidence it rests on, citing only the pages that gave
 * it (a value per option for a computed comparison, the sentence holding the answer otherwise).
 */
export function explainAnswer(question: string, prediction: string, read: Array<PageEvidence>, computed: boolean): string {
  if (!prediction) return 'I found nothing that answers the question.';
  const options = choiceOptions(question);
  if (options && computed) {
    const comparison = numericComparison(question, read);
    if (comparison) {
      const parts = Object.entries(comparison.values).map(([name, value]) => `"${pageFor(name, read)?.title ?? name}" gives ${value} for ${name}`);
      return `${parts.join(' and ')}; comparing them in Python gives ${prediction}. The answer is ${prediction}.`;
    }
  }
  const gap = computed && !options ? yearGap(question, read) : undefined;
  if (gap) {
    const parts = Object.entries(gap.years).map(([name, year]) => `"${pageFor(name, read)?.title ?? name}" gives ${year} for ${name}`);
    return `${parts.join(' and ')}; the difference computed in Python is ${prediction}. The answer is ${prediction}.`;
  }
  if (options || isYesNo(question)) {
    const names = options ?? pairedEntities(question) ?? [];
    const attribute = attributeTerms(question, names, { names: false });
    const lines = names.map((name) => {
      const page = pageFor(name, read);
      if (!page) return `I found no page about ${name}.`;
      const sentence = bestSentence(page, attribute);
      return sentence && speaksOf(sentence, attribute) ? `"${page.title}" says: "${quote(sentence)}"` : `"${page.title}" says nothing about ${attribute.join(' ')}.`;
    });
    return `${lines.join(' ')} The answer is ${prediction}.`;
  }
  const attribute = attributeTerms(question, [prediction]);
  const pair = askedPair(question);
  if (pair) {
    const lines = pair.map((name) => {
      const page = pageFor(name, read);
      const sentence = page && bestSentence(page, attribute, prediction);
      return page && sentence ? `"${page.title}" says: "${quote(sentence)}"` : '';
    });
    if (lines.every(Boolean)) return `${lines.join(' ')} The answer is ${prediction}.`;
  }
  const holding = read
    .map((p) => ({ p, s: bestSentence(p, attribute, prediction) }))
    .filter((x): x is { p: PageEvidence; s: string } => x.s !== undefined)
    .sort((a, b) => attributeOverlap(b.s, attribute) - attributeOverlap(a.s, attribute))[0];
  if (!holding) return `The answer is ${prediction}.`;
  // the hop, when another page read is the one that pointed to the answer's page
  const subject = holding.p.title.replace(/\s*\([^)]*\)\s*$/, '');
  const bridge = read.find((p) => p !== holding.p && containsPhrase(p.text, subject));
  const hop = bridge ? `"${bridge.title}" leads to ${subject}. ` : '';
  return `${hop}"${holding.p.title}" says: "${quote(holding.s)}" The answer is ${prediction}.`;
}
