import { escapeRegExp } from './draft.ts';

/** "X is a film directed by Y": who did what to the entity, read from one of its statements. */
export interface AgentRelation {
  /** Participle as written: directed, written, founded… */
  verb: string;
  /** What the entity is, when a statement says ("film"). */
  kind?: string;
  agent: string;
  statement: number;
}

const VERBS: Record<string, { past: string; role: string }> = {
  directed: { past: 'directed', role: 'director' },
  written: { past: 'wrote', role: 'writer' },
  composed: { past: 'composed', role: 'composer' },
  produced: { past: 'produced', role: 'producer' },
  founded: { past: 'founded', role: 'founder' },
  created: { past: 'created', role: 'creator' },
  designed: { past: 'designed', role: 'designer' },
  developed: { past: 'developed', role: 'developer' },
  published: { past: 'published', role: 'publisher' },
  illustrated: { past: 'illustrated', role: 'illustrator' },
  invented: { past: 'invented', role: 'inventor' },
};
const CONNECTOR = String.raw`(?:of|de|del|da|von|van|der|the|and|&|for)`;
// "by American director Tim Burton": a demonym and up to three lower-case words, none a connective or verb
const DESCRIPTOR = String.raw`(?:(?:\p{Lu}\p{Ll}*(?:an|ish|ese|ch|i)\s+)?(?:(?!(?:and|or|by|of|in|with|for|the|a|an|to|at|from|directed|written|produced|composed|founded|created|designed|developed|published)\b)\p{Ll}[\p{Ll}-]*\s+){1,3})?`;
const NAME = String.raw`\p{Lu}[\p{L}.'’-]*(?:\s+(?:${CONNECTOR}\s+)?\p{Lu}[\p{L}.'’-]*)*`;

/** Agents stated about `name` (the statement starts with it): one agent, not a list ("by A and B" is skipped). */
export function agentRelations(name: string, statements: string[]): AgentRelation[] {
  const n = escapeRegExp(name);
  const out: AgentRelation[] = [];
  const kind = kindOf(name, statements);
  const pattern = new RegExp(`^(?:The\\s+)?${n}(?![\\p{L}\\p{N}])\\s+(?:is|was|were|are)\\s+(?:(?:an?|the)\\s+((?:(?!\\b(?:which|who|whom|whose|that|when|and)\\b)[^.;()])*?)\\s+)?(?:originally\\s+|first\\s+|jointly\\s+)?(${Object.keys(VERBS).join('|')})\\s+by\\s+(?:the\\s+)?${DESCRIPTOR}(${NAME})(?=\\s*(?:[.,;:()]|$|\\s+(?:in|on|at|from|for|with|who|which|as|under|about|based|starring|and\\s+(?:released|starring|produced|written|directed|was|is|stars))\\b))`, 'u');
  statements.forEach((s, statement) => {
    const m = pattern.exec(s);
    if (!m || (m[1] ?? '').length > 80) return;
    const add = (verb: string, raw: string) => {
      const agent = raw.replace(/[.’']+$/, '').replace(/\s+(?:and|of|the|for|&)$/, '');
      if (agent.split(/\s+/).length <= 6 && agent !== name && !/\s(?:and|&)\s/.test(agent)) out.push({ verb, agent, statement, kind });
    };
    add(m[2], m[3]);
    // "… produced by Pixar and directed by John Lasseter"
    const next = new RegExp(`^\\s+and\\s+(${Object.keys(VERBS).join('|')})\\s+by\\s+(?:the\\s+)?${DESCRIPTOR}(${NAME})(?=\\s*(?:[.,;:()]|$))`, 'u').exec(s.slice(m.index + m[0].length));
    if (next && next[1] !== m[2]) add(next[1], next[2]);
  });
  return out;
}

const KINDS = /^(film|noir|novel|album|song|single|documentary|series|sitcom|game|book|play|musical|opera|poem|painting|podcast|magazine|newspaper|journal|company|band|EP|miniseries|short)$/;

/**
 * What kind of work the entity is ("film"), from a statement "X (, also known as Y,) is a 1944 American film …":
 * "Who wrote The Mask of Dimitrios?" could mean the novel; "Who wrote the film The Mask of Dimitrios?" cannot.
 */
export function kindOf(name: string, statements: string[]): string | undefined {
  const n = escapeRegExp(name);
  for (const s of statements) {
    const m = new RegExp(`^(?:The\\s+)?${n}(?![\\p{L}\\p{N}])(?:\\s*\\([^)]*\\))?(?:,[^,]{0,60},)?\\s+(?:is|was)\\s+(?:an?|the)\\s+([^.;,()]{0,80}?)\\b(\\p{L}+)(?=\\s+(?:directed|written|produced|by|released|starring|based|from|about|that|which|in|of|and|for)\\b|[.,;]|$)`, 'u').exec(s);
    if (m && KINDS.test(m[2])) return m[2] === 'short' || m[2] === 'noir' ? 'film' : m[2];
  }
  return undefined;
}

const titled = (name: string, kind?: string) => (kind && !/\)$/.test(name) ? `the ${kind} ${name}` : name);

/** "Who directed the film Ed Wood?" */
export const askAgent = (name: string, r: AgentRelation, kind?: string) => `Who ${VERBS[r.verb].past} ${titled(name, kind)}?`;

/** "the director of the film Ed Wood" */
export const roleOf = (name: string, r: AgentRelation, kind?: string) => `the ${VERBS[r.verb].role} of ${titled(name, kind)}`;
