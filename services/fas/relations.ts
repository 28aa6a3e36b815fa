import { escapeRegExp } from './draft.ts';

/** "X is a film directed by Y": who did what to the entity, read from one of its statements. */
export interface AgentRelation {
  /** Participle as written: directed, written, founded… */
  verb: string;
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
const NAME = String.raw`\p{Lu}[\p{L}.'’-]*(?:\s+(?:${CONNECTOR}\s+)?\p{Lu}[\p{L}.'’-]*)*`;

/** Agents stated about `name` (the statement starts with it): one agent, not a list ("by A and B" is skipped). */
export function agentRelations(name: string, statements: string[]): AgentRelation[] {
  const n = escapeRegExp(name);
  const out: AgentRelation[] = [];
  const pattern = new RegExp(`^(?:The\\s+)?${n}(?![\\p{L}\\p{N}])\\s+(?:is|was|were|are)\\s+(?:(?:an?|the)\\s+((?:(?!\\b(?:which|who|whom|whose|that|when|and)\\b)[^.;()])*?)\\s+)?(?:originally\\s+|first\\s+|jointly\\s+)?(${Object.keys(VERBS).join('|')})\\s+by\\s+(?:the\\s+)?(?:(?:\\p{Lu}[\\p{L}-]*\\s+)?[\\p{Ll}-]+\\s+(?:[\\p{Ll}-]+\\s+){0,2})?(${NAME})(?=\\s*(?:[.,;:()]|$|\\s+(?:in|on|at|from|for|with|who|which|as|under|about|based|starring|and\\s+(?:released|starring|produced|written|directed|was|is|stars))\\b))`, 'u');
  statements.forEach((s, statement) => {
    const m = pattern.exec(s);
    if (!m || (m[1] ?? '').length > 80) return;
    const agent = m[3].replace(/[.’']+$/, '').replace(/\s+(?:and|of|the|for|&)$/, '');
    if (agent.split(/\s+/).length > 6 || agent === name || /\s(?:and|&)\s/.test(agent)) return;
    out.push({ verb: m[2], agent, statement });
  });
  return out;
}

/** "Who directed Ed Wood?" */
export const askAgent = (name: string, r: AgentRelation) => `Who ${VERBS[r.verb].past} ${name}?`;

/** "the director of Ed Wood" */
export const roleOf = (name: string, r: AgentRelation) => `the ${VERBS[r.verb].role} of ${name}`;
