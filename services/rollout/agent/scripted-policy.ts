import { approxTokens, queryTerms, splitSentences } from '../corpus/text.ts';
import { askedPair, attributeTerms, containsPhrase, questionNames, speaksOf, titleIsAbout } from '../quality/attribute.ts';
import { explainAnswer } from './explain.ts';
import { choiceOptions, comparisonCode, extractAnswer, isYesNo, NATIONALITY, numericComparison, pairedEntities, rankedSpans, type PageEvidence } from './extract.ts';
import { yearGap, yearGapQuestion } from './year-gap.ts';
import type { Decision, Policy, PolicySession, PolicyView, SeenObservation, ToolInvocation } from './types.ts';

interface Lead {
  title: string;
  url: string;
}

interface ReadPage extends PageEvidence {
  url: string;
}

/** What the scripted policy knows: rebuilt every step from its report and the observations in view. */
interface Notes {
  searches: string[];
  leads: Lead[];
  read: ReadPage[];
  /** What the interpreter printed, once the policy asked it to compute something. */
  computed?: string;
}

const SEARCH_HIT = /^\d+\. \[(.*)\]\((\S+)\)$/gm;
const VISIT_HEADER = /^The useful information in (\S+) \((.*)\) for user goal/;

export function notesFromObservations(observations: SeenObservation[], notes: Notes): Notes {
  for (const o of observations) {
    if (o.name === 'search') {
      const query = Array.isArray(o.arguments.query) ? String(o.arguments.query[0]) : String(o.arguments.query ?? '');
      if (!notes.searches.includes(query)) notes.searches.push(query);
      for (const m of o.response.matchAll(SEARCH_HIT)) if (!notes.leads.some((l) => l.url === m[2])) notes.leads.push({ title: m[1], url: m[2] });
    } else if (o.name === 'PythonInterpreter' || o.name === 'python') {
      notes.computed = /^stdout:\n(.*)/.exec(o.response)?.[1]?.trim() ?? '';
    } else if (o.name === 'visit') {
      for (const part of o.response.split('\n=======\n')) {
        const header = VISIT_HEADER.exec(part);
        const content = part.split('\nPage content:\n')[1];
        if (header && content && !notes.read.some((r) => r.url === header[1])) notes.read.push({ url: header[1], title: header[2], text: content.replace(/… \[truncated \d+ chars\]$/, '') });
      }
    }
  }
  return notes;
}

/** The report is the policy's only memory in IterResearch mode, so it carries the searches, leads and key sentences. */
export function renderReport(notes: Notes, question: string): string {
  const terms = new Set(queryTerms(question));
  const keep = (text: string) => {
    const sentences = splitSentences(text);
    const ranked = sentences.map((s, i) => ({ s, i, n: queryTerms(s).filter((t) => terms.has(t)).length })).sort((a, b) => b.n - a.n || a.i - b.i);
    return [...new Set([sentences[0], ...ranked.slice(0, 3).map((r) => r.s)])].filter(Boolean).join(' ');
  };
  return [
    '## Searches',
    ...notes.searches.map((s) => `- ${s}`),
    '## Leads',
    ...notes.leads.slice(0, 12).map((l) => `- [${l.title}](${l.url})`),
    '## Read',
    ...notes.read.map((r) => `### ${r.title} (${r.url})\n${keep(r.text)}`),
    ...(notes.computed !== undefined ? ['## Computed', notes.computed] : []),
  ].join('\n');
}

export function notesFromReport(report: string): Notes {
  const notes: Notes = { searches: [], leads: [], read: [] };
  const [, searches = '', rest = ''] = /## Searches\n([\s\S]*?)## Leads\n([\s\S]*)$/.exec(report) ?? [];
  notes.searches = searches.split('\n').filter((l) => l.startsWith('- ')).map((l) => l.slice(2));
  const [leads = '', read = ''] = rest.split('## Read\n');
  notes.leads = [...leads.matchAll(/^- \[(.*)\]\((\S+)\)$/gm)].map((m) => ({ title: m[1], url: m[2] }));
  const [pages = '', computed] = read.split('## Computed\n');
  notes.read = [...pages.matchAll(/^### (.*) \((\S+)\)\n(.*)$/gm)].map((m) => ({ title: m[1], url: m[2], text: m[3] }));
  if (computed !== undefined) notes.computed = computed.trim();
  return notes;
}

function covers(page: { title: string }, name: string): boolean {
  return titleIsAbout(page.title, name);
}

const DEMONYM = new RegExp(`^(?:${NATIONALITY.source.replace(/\\b/g, '')}|soviet|european|african|asian|latin|arab|nordic|scandinavian|roman|greek)$`, 'i');

/**
 * A lead worth opening: its title (disambiguation aside) shares a word with a name in the question or with a
 * later search — a researcher does not open "Soyuz TM-7" for Patrick Baudry, nor "Celebration (Madonna song)"
 * because the question says "song".
 */
function onTopic(lead: Lead, question: string, searches: string[]): boolean {
  // a demonym names no one: "Soviet silent biopic" does not make "Soviet cruiser Kirov" a lead
  const names = new Set([...questionNames(question), ...searches.slice(1)].flatMap((n) => queryTerms(n)).filter((t) => t.length > 2 && !DEMONYM.test(t)));
  return queryTerms(lead.title.replace(/\s*\([^)]*\)\s*$/, '')).some((t) => names.has(t));
}

/** The open question's answer is already stated, about the asked attribute, on a page read: time to answer. */
function answerFound(question: string, read: ReadPage[]): boolean {
  const candidate = extractAnswer(question, read, () => 1, 0);
  if (!candidate) return false;
  const attribute = attributeTerms(question, [candidate]);
  return read.some((r) => splitSentences(r.text).some((s) => containsPhrase(s, candidate) && speaksOf(s, attribute)));
}

/**
 * The hop of a bridge question: the best name (never a number or a date — that would be searching for an answer
 * before working it out) on the pages the question itself names, other than those pages.
 */
function bridgeEntity(question: string, read: ReadPage[]): string | undefined {
  const qTerms = new Set(queryTerms(question));
  const named = read.filter((r) => queryTerms(r.title).some((t) => qTerms.has(t)));
  const candidates = rankedSpans(`Who ${question}`, named, false, 'name').filter(
    // a name of two words or more: a lone capitalised word is as often "Perhaps" or "Stadt" as a name
    (c) => /\p{L}{2}/u.test(c) && !/\d{3,}/.test(c) && c.trim().split(/\s+/).length >= 2 && !read.some((r) => covers(r, c)) && queryTerms(c).length <= 5,
  );
  return candidates[0];
}

/**
 * A deterministic search → visit → extract policy, so the flywheel runs (and is tested) with no model. Rollouts
 * of one question differ through the seeded random stream: a query word dropped, a different lead read first.
 */
export function scriptedPolicy(options: { maxReads?: number; explore?: number; python?: boolean } = {}): Policy {
  const usePython = options.python ?? true;
  const maxReads = options.maxReads ?? 4;
  const exploreRate = options.explore ?? 0.3;
  return {
    model: 'scripted',
    modelVersion: 'search-visit-extract/1',
    sampling: { temperature: 0, top_p: 1, repetition_penalty: 1 },
    start({ question, rolloutIndex, random }): PolicySession {
      const explore = rolloutIndex > 0;
      // a page per option, per entity of a yes/no pair, per entity an open question asks about together
      const gapAsked = yearGapQuestion(question);
      const targets = choiceOptions(question) ?? (isYesNo(question) ? pairedEntities(question) : undefined) ?? askedPair(question) ?? (gapAsked ? [gapAsked.first.name, gapAsked.second.name] : []);
      const bridge = targets.length === 0 && !isYesNo(question);
      return {
        async decide(view: PolicyView): Promise<Decision> {
          const notes = notesFromObservations(view.observations, notesFromReport(view.report));
          const report = view.mode === 'iterresearch' ? renderReport(notes, question) : undefined;
          const inputTokens = view.messages.reduce((n, m) => n + approxTokens(m.content), 0);
          const decision = (thought: string, extra: { call?: ToolInvocation; answer?: string }): Decision => ({
            thought,
            report,
            ...extra,
            inputTokens,
            outputTokens: approxTokens(thought + JSON.stringify(extra) + (report ?? '')),
          });
          const answer = () => {
            const options = choiceOptions(question);
            const computed = options ? options.find((o) => o === notes.computed) : gapAsked && /^-?\d+$/.test(notes.computed ?? '') ? notes.computed : undefined;
            const prediction = computed ?? extractAnswer(question, notes.read, random, explore ? exploreRate : 0);
            return decision(explainAnswer(question, prediction, notes.read, computed !== undefined), { answer: prediction });
          };
          if (view.forceAnswer) return answer();
          if (notes.searches.length === 0) {
            let terms = queryTerms(question);
            if (explore && terms.length > 3 && random() < 0.5) terms = terms.filter((_, i) => i !== Math.floor(random() * terms.length));
            const query = explore ? terms.join(' ') : question;
            return decision('I will search for pages about the question.', { call: { name: 'search', arguments: { query: [query] } } });
          }
          if (targets.length === 0 && !isYesNo(question) && notes.read.length > 0 && answerFound(question, notes.read)) return answer();
          const missing = targets.filter((t) => !notes.read.some((r) => covers(r, t)));
          const unread = notes.leads.filter((l) => !notes.read.some((r) => r.url === l.url) && onTopic(l, question, notes.searches));
          const forTarget = missing.map((t) => unread.find((l) => covers(l, t))).find(Boolean);
          if (notes.read.length < maxReads && (forTarget || (notes.read.length < 2 && unread.length))) {
            let lead = forTarget ?? unread[0];
            if (!forTarget && explore && unread.length > 1 && random() < 0.35) lead = unread[1];
            return decision(`"${lead.title}" looks relevant; I will read it.`, { call: { name: 'visit', arguments: { url: lead.url, goal: question } } });
          }
          const unsearched = missing.find((t) => !notes.searches.includes(t));
          if (unsearched && notes.read.length < maxReads) {
            return decision(`I still need a page about ${unsearched}.`, { call: { name: 'search', arguments: { query: [unsearched] } } });
          }
          // bridge questions: follow the entity the question's own page points to, then read about it
          if (bridge && notes.searches.length === 1 && notes.read.length < maxReads) {
            const hop = bridgeEntity(question, notes.read);
            if (hop) return decision(`The question goes through ${hop}; I will look it up.`, { call: { name: 'search', arguments: { query: [hop] } } });
          }
          // a comparison of two numbers is handed to the interpreter
          const comparison = usePython && notes.computed === undefined ? numericComparison(question, notes.read) : undefined;
          if (comparison) {
            return decision(`I have a number for each option; I will compare them with Python.`, { call: { name: 'PythonInterpreter', arguments: { code: comparisonCode(comparison) } } });
          }
          const gap = usePython && notes.computed === undefined && gapAsked ? yearGap(question, notes.read) : undefined;
          if (gap) {
            const years = Object.entries(gap.years).map(([name, year]) => `${name}: ${year}`).join(', ');
            return decision(`I have the year of each event (${years}); I will subtract them with Python.`, { call: { name: 'PythonInterpreter', arguments: { code: gap.code } } });
          }
          const hopLead = bridge && notes.searches.length === 2 ? unread.find((l) => covers(l, notes.searches[1])) : undefined;
          if (hopLead && notes.read.length < maxReads) {
            return decision(`"${hopLead.title}" should hold the answer; I will read it.`, { call: { name: 'visit', arguments: { url: hopLead.url, goal: question } } });
          }
          return answer();
        },
      };
    },
  };
}
