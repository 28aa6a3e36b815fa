import { stableJson } from '../platform/records.ts';
import type { Step, Trajectory } from '../platform/generated/records.ts';
import { parseArguments } from '../export/render.ts';

/** One think+call option of a decision step. */
export interface Candidate {
  thought: string;
  name: string;
  arguments: Record<string, unknown>;
}

export function candidateKey(c: Pick<Candidate, 'name' | 'arguments'>): string {
  return `${c.name}:${stableJson(c.arguments)}`;
}

export function realCandidate(step: Step): Candidate {
  return { thought: step.thought.trim(), name: step.tool_call!.name, arguments: parseArguments(step.tool_call!.arguments_json) };
}

type Strategy = (ctx: { trajectory: Trajectory; step: Step; real: Candidate; random: () => number }) => Candidate | null;

/**
 * The scripted policy's alternatives: plausible actions the agent could have taken at this step, made by
 * perturbing the real call with what was known *before* the step (the question and earlier tool responses):
 * a shorter query, a query on another phrase of the question, visiting a page an earlier step listed,
 * repeating the previous call, or switching between searching and reading.
 */
export function scriptedCandidates(trajectory: Trajectory, step: Step, count: number, random: () => number): Candidate[] {
  const real = realCandidate(step);
  const seen = new Set([candidateKey(real)]);
  const out: Candidate[] = [];
  const strategies = shuffled([dropQueryWord, addQuestionWord, otherQuestionPhrase, visitEarlierPage, repeatPrevious, searchInsteadOfReading, otherSearchTool], random);
  // a strategy may yield different candidates on another pass (random choices), so allow a few passes
  for (let pass = 0; pass < 3 && out.length < count; pass++) {
    for (const strategy of strategies) {
      if (out.length >= count) break;
      const candidate = strategy({ trajectory, step, real, random });
      if (!candidate || seen.has(candidateKey(candidate))) continue;
      seen.add(candidateKey(candidate));
      out.push(candidate);
    }
  }
  return out;
}

const dropQueryWord: Strategy = ({ real, random }) => {
  const queries = queryList(real);
  if (!queries) return null;
  const words = queries[0].split(/\s+/).filter(Boolean);
  if (words.length < 2) return null;
  const drop = Math.floor(random() * words.length);
  const shorter = words.filter((_, i) => i !== drop).join(' ');
  return { thought: `A broader query may match more pages; I will search for "${shorter}".`, name: real.name, arguments: { ...real.arguments, query: [shorter] } };
};

const addQuestionWord: Strategy = ({ trajectory, real, random }) => {
  const queries = queryList(real);
  if (!queries) return null;
  const present = new Set(queries[0].toLowerCase().split(/\s+/));
  const words = contentWords(trajectory.question).filter((w) => !present.has(w.toLowerCase()));
  if (words.length === 0) return null;
  const word = words[Math.floor(random() * words.length)];
  return { thought: `Adding "${word}" from the question should make the results more specific.`, name: real.name, arguments: { ...real.arguments, query: [`${queries[0]} ${word}`] } };
};

const otherSearchTool: Strategy = ({ real }) => {
  const queries = queryList(real);
  if (!queries || (real.name !== 'search' && real.name !== 'google_scholar')) return null;
  const name = real.name === 'search' ? 'google_scholar' : 'search';
  return { thought: name === 'google_scholar' ? 'Published papers might cover this; I will search the scholarly index.' : 'A general web search may cover more than papers.', name, arguments: { query: queries } };
};

const otherQuestionPhrase: Strategy = ({ trajectory, real, random }) => {
  const current = new Set((queryList(real) ?? []).map((q) => q.toLowerCase()));
  const phrases = keyPhrases(trajectory.question).filter((p) => !current.has(p.toLowerCase()));
  if (phrases.length === 0) return null;
  const phrase = phrases[Math.floor(random() * phrases.length)];
  return { thought: `The question mentions "${phrase}"; looking that up directly could give the missing fact.`, name: 'search', arguments: { query: [phrase] } };
};

const visitEarlierPage: Strategy = ({ trajectory, step, real, random }) => {
  const visited = new Set(trajectory.steps.filter((s) => s.index < step.index && s.tool_call?.name === 'visit').flatMap((s) => urlsOf(s.tool_call!.arguments_json)));
  for (const u of urlsOf(real.name === 'visit' ? JSON.stringify(real.arguments) : '')) visited.add(u);
  const earlier = trajectory.steps.filter((s) => s.index < step.index).flatMap((s) => linksIn(s.tool_response));
  const options = [...new Set(earlier)].filter((u) => !visited.has(u));
  if (options.length === 0) return null;
  const url = options[Math.floor(random() * options.length)];
  return { thought: `An earlier result listed ${url}; reading that page might answer the question.`, name: 'visit', arguments: { url, goal: trajectory.question } };
};

const repeatPrevious: Strategy = ({ trajectory, step }) => {
  const previous = [...trajectory.steps].reverse().find((s) => s.index < step.index && s.tool_call);
  if (!previous?.tool_call) return null;
  return { thought: 'I am not sure the last result was complete; I will run the same call again.', name: previous.tool_call.name, arguments: parseArguments(previous.tool_call.arguments_json) };
};

const searchInsteadOfReading: Strategy = ({ trajectory, real, random }) => {
  if (real.name === 'search') return null;
  const phrases = keyPhrases(trajectory.question);
  const phrase = phrases.length ? phrases[Math.floor(random() * phrases.length)] : trajectory.question;
  return { thought: 'Rather than reading further, a fresh search could point to a better source.', name: 'search', arguments: { query: [phrase] } };
};

function queryList(c: Candidate): string[] | null {
  const q = c.arguments.query;
  if (typeof q === 'string' && q.trim()) return [q.trim()];
  if (Array.isArray(q) && q.length && q.every((x) => typeof x === 'string')) return q as string[];
  return null;
}

const STOP = new Set('a an the of in on at to for from by with and or is was were are be been who what which when where why how did does do whose whom that this these those as it its than then both same also one'.split(' '));

/** Capitalised spans and quoted strings of a question, else its longest content words. */
export function keyPhrases(question: string): string[] {
  const quoted = [...question.matchAll(/"([^"]{2,80})"/g)].map((m) => m[1]);
  const word = "(?:[A-Z][\\p{L}\\p{N}'.-]*|\\p{N}+)";
  const span = new RegExp(`\\b([A-Z][\\p{L}\\p{N}'.-]*(?:\\s+(?:(?:of|the|from|de|and|in)\\s+)*${word})*)`, 'gu');
  const capitalised = [...question.matchAll(span)]
    .map((m) => m[1])
    .filter((p) => !STOP.has(p.toLowerCase()) && p.length > 2);
  const phrases = [...new Set([...quoted, ...capitalised])];
  if (phrases.length) return phrases;
  return contentWords(question)
    .sort((a, b) => b.length - a.length)
    .slice(0, 3);
}

function contentWords(text: string): string[] {
  return [...new Set(text.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 3 && !STOP.has(w.toLowerCase())))];
}

function linksIn(text: string): string[] {
  const markdown = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
  const bare = [...text.matchAll(/\b(?:https?|local):\/\/[^\s)\]"']+/g)].map((m) => m[0]);
  return [...new Set([...markdown, ...bare])];
}

function urlsOf(argumentsJson: string): string[] {
  if (!argumentsJson) return [];
  const url = parseArguments(argumentsJson).url;
  return (Array.isArray(url) ? url : [url]).filter((u): u is string => typeof u === 'string');
}

function shuffled<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
