import type { Cluster, ClusterEntity } from '../platform/generated/records.ts';
import { escapeRegExp, evidenceOf, pick, sentenceCase, type QuestionDraft, type QuestionStrategy } from './draft.ts';
import { askYear, datedEvents, eventClause, eventFirst, eventInversion, type DatedEvent } from './events.ts';
import { birthplaces, type Birthplace } from './places.ts';
import { agentRelations, askAgent, roleOf, type AgentRelation } from './relations.ts';
import { quotable, replaceName } from './spans.ts';

const mentions = (text: string, name: string) => replaceName(text, name, '\u0000') !== text;

interface Dated extends DatedEvent {
  e: ClusterEntity;
}

interface Agent extends AgentRelation {
  e: ClusterEntity;
}

interface Born extends Birthplace {
  e: ClusterEntity;
}

/**
 * Deterministic question templates: one candidate per style where the cluster supports it. No model needed.
 * Every question asks about a dated event a statement attaches to its entity ("founded in 1878", "born 10
 * August 1973"), so the question names what its year is the year of, and a computed answer is computed from
 * the years the question refers to.
 */
export class TemplateStrategy implements QuestionStrategy {
  readonly name = 'template' as const;

  async propose(cluster: Cluster, random: () => number): Promise<QuestionDraft[]> {
    const usable = cluster.entities.filter(usableName);
    const dated = usable.flatMap((e) => datedEvents(e.name, e.statements).map((d) => ({ ...d, e })));
    const agents = usable.flatMap((e) => agentRelations(e.name, e.statements).map((r) => ({ ...r, e })));
    const born = usable.flatMap((e) => birthplaces(e.name, e.statements).map((b) => ({ ...b, e })));
    return [factual(dated, agents, born, random), numeric(dated, random), roleHop(dated, agents, born, random) ?? multiHop(cluster, dated, random), synthesis(cluster, dated, random)]
      .filter((d): d is QuestionDraft => !!d)
      .map((d) => ({ ...d, question: displayNames(d.question, usable) }));
  }
}

/**
 * Names as a question says them, outside quoted clues: "the Journal of Human Development" when its statements
 * write it with "The"; "the Madonna song Celebration" for the page title "Celebration (Madonna song)".
 */
function displayNames(question: string, entities: ClusterEntity[]): string {
  const parts = question.split(/("[^"]*")/);
  for (const e of entities) {
    const disambiguated = /^(.+?) \(((?:\p{Lu}[\p{L}'’-]* ){0,2}\p{Ll}[\p{Ll} -]*)\)$/u.exec(e.name);
    const article = !/^the\s/i.test(e.name) && e.statements.some((s) => s.startsWith(`The ${e.name}`));
    if (!disambiguated && !article) continue;
    const shown = disambiguated ? `the ${disambiguated[2]} ${disambiguated[1]}` : `the ${e.name}`;
    const pattern = new RegExp(`(?<![Tt]he )(?<![\\p{L}\\p{N}])${escapeRegExp(e.name)}(?![\\p{L}\\p{N}])`, 'gu');
    for (let k = 0; k < parts.length; k += 2) parts[k] = parts[k].replace(pattern, () => shown);
  }
  return sentenceCase(parts.join(''));
}

/** A name a question can use as written: not cut at a hyphen, not a bare fragment. */
function usableName(e: ClusterEntity): boolean {
  const n = e.name.trim();
  return n.length >= 3 && /^[\p{Lu}\p{N}"]/u.test(n) && !/[-–(,&]$|\s(?:of|the|and)$/i.test(n) && n.split('(').length === n.split(')').length && !/^(?:List|Lists|Timeline|History|Index|Outline) of\b/.test(n);
}

/** "In which year was Manchester United founded?", "Who directed Ed Wood?", "Where was Ken Herock born?" */
function factual(dated: Dated[], agents: Agent[], born: Born[], random: () => number): QuestionDraft | undefined {
  if (dated.length + agents.length + born.length === 0) return undefined;
  const choice = Math.floor(random() * (dated.length + agents.length + born.length));
  if (choice >= dated.length + agents.length) {
    const b = born[choice - dated.length - agents.length];
    return { style: 'factual', question: `Where was ${b.e.name} born?`, answer: b.place, evidence: [evidenceOf(b.e, b.statement)], entityIds: [b.e.entity_id], operations: [], hops: 1, intermediate: b.place, predicate: 'born-in' };
  }
  if (choice >= dated.length) {
    const r = agents[choice - dated.length];
    return { style: 'factual', question: askAgent(r.e.name, r, r.kind), answer: r.agent, evidence: [evidenceOf(r.e, r.statement)], entityIds: [r.e.entity_id], operations: [], hops: 1, intermediate: r.agent, predicate: `by:${r.verb}` };
  }
  const d = dated[choice];
  if (!d) return undefined;
  return { style: 'factual', question: askYear(d.e.name, d), answer: String(d.year), evidence: [evidenceOf(d.e, d.statement)], entityIds: [d.e.entity_id], operations: [], hops: 1, intermediate: String(d.year), predicate: d.verb };
}

/** "How many years after Lisa Raymond was born was Liezel Huber born?" — two events of two entities. */
function numeric(dated: Dated[], random: () => number): QuestionDraft | undefined {
  const a = pick(dated, random);
  if (!a) return undefined;
  const b = pick(dated.filter((d) => d.year !== a.year && d.e.entity_id !== a.e.entity_id), random);
  if (!b) return undefined;
  const [first, second] = a.year < b.year ? [a, b] : [b, a];
  return {
    style: 'numeric',
    question: `How many years after ${eventClause(first.e.name, first)} ${eventInversion(second.e.name, second)}?`,
    answer: String(second.year - first.year),
    evidence: [evidenceOf(first.e, first.statement), evidenceOf(second.e, second.statement)],
    entityIds: [first.e.entity_id, second.e.entity_id],
    operations: [],
    hops: 2,
    intermediate: String(first.year),
  };
}

/** "In which year was the director of Ed Wood born?" — the agent of one entity is another with a dated event (or a birthplace). */
function roleHop(dated: Dated[], agents: Agent[], born: Born[], random: () => number): QuestionDraft | undefined {
  const options = agents.flatMap((r) => dated.filter((d) => d.e !== r.e && d.e.name === r.agent).map((d) => ({ r, d })));
  const places = agents.flatMap((r) => born.filter((b) => b.e !== r.e && b.e.name === r.agent).map((b) => ({ r, b })));
  if (places.length && (options.length === 0 || random() < 0.5)) {
    const { r, b } = pick(places, random)!;
    return throughRole(r, b.e, b.statement, `Where was ${roleOf(r.e.name, r, r.kind)} born?`, b.place);
  }
  const chosen = pick(options, random);
  return chosen && throughRole(chosen.r, chosen.d.e, chosen.d.statement, askYear(roleOf(chosen.r.e.name, chosen.r, chosen.r.kind), chosen.d), String(chosen.d.year));
}

function throughRole(r: Agent, target: ClusterEntity, statement: number, question: string, answer: string): QuestionDraft {
  const role = roleOf(r.e.name, r, r.kind);
  return {
    style: 'multi_hop',
    question,
    answer,
    evidence: [evidenceOf(r.e, r.statement), evidenceOf(target, statement)],
    entityIds: [r.e.entity_id, target.entity_id],
    operations: [{ op: 'describe_entity', detail: `${target.name} → ${role}` }],
    hops: 2,
    intermediate: target.name,
    hidden: [target.name],
  };
}

/**
 * Bridge question: entity B is named in a statement of A; the question asks for the year of an event of B
 * through that statement (B replaced by X — the describe_entity operation), so answering needs both hops.
 */
function multiHop(cluster: Cluster, dated: Dated[], random: () => number): QuestionDraft | undefined {
  const options: Array<{ a: ClusterEntity; ia: number; b: Dated }> = [];
  for (const b of dated) {
    for (const a of cluster.entities) {
      if (a === b.e || !usableName(a)) continue;
      a.statements.forEach((s, ia) => {
        if (a.name.includes(b.e.name) || !mentions(s, b.e.name) || !mentions(s, a.name) || s.includes(String(b.year)) || s.length > 240) return;
        const bridge = replaceName(s, b.e.name, 'X');
        if (bridge.split(/\bX\b/).length !== 2 || !anchoredBridge(bridge.replace(a.name, ''))) return; // X named exactly once, and pinned down
        if (/\p{Lu}\p{Ll}+(?:,\s*|\s+and\s+)X\b|\bX(?:,\s*|\s+and\s+)\p{Lu}\p{Ll}/u.test(bridge)) return; // X one of a list: its place in the list is all that names it

        options.push({ a, ia, b });
      });
    }
  }
  const chosen = pick(options, random);
  if (!chosen) return undefined;
  const { a, ia, b } = chosen;
  const bridge = quotable(replaceName(a.statements[ia], b.e.name, 'X'));
  const ask = askYear('X', b).replace(/\?$/, '');
  return {
    style: 'multi_hop',
    question: `${ask}, X being the one named in this statement: "${bridge}"?`,
    answer: String(b.year),
    evidence: [evidenceOf(a, ia), evidenceOf(b.e, b.statement)],
    entityIds: [a.entity_id, b.e.entity_id],
    operations: [{ op: 'describe_entity', detail: `${b.e.name} → X, described through a statement about ${a.name}` }],
    hops: 2,
    intermediate: b.e.name,
    hidden: [b.e.name],
  };
}

/** Besides the bridge entity, the statement must carry a date, number or another name, or it fits too many ("A and X were the defending champions"). */
const anchoredBridge = (rest: string) => /\d/.test(rest) || /(?<!^|[.!?]\s|")\b\p{Lu}\p{Ll}+/u.test(rest.replace(/^\s*(?:and|,)?\s*/, '').replace(/\bX\b/g, ''));

/** Compare the same kind of event across 2–5 entities: which came first. The answer is an entity, found only by reading all. */
function synthesis(cluster: Cluster, dated: Dated[], random: () => number): QuestionDraft | undefined {
  const byVerb = new Map<string, Map<string, Dated>>();
  for (const d of dated) {
    const perEntity = byVerb.get(d.verb) ?? new Map<string, Dated>();
    if (!perEntity.has(d.e.entity_id)) perEntity.set(d.e.entity_id, d);
    byVerb.set(d.verb, perEntity);
  }
  const verb = pick([...byVerb.keys()].filter((v) => byVerb.get(v)!.size >= 2).sort(), random);
  if (!verb) return undefined;
  const chosen = [...byVerb.get(verb)!.values()].slice(0, 5);
  const earliest = Math.min(...chosen.map((d) => d.year));
  const winners = chosen.filter((d) => d.year === earliest);
  if (winners.length !== 1) return undefined;
  const names = chosen.map((d) => d.e.name);
  const list = names.length === 2 ? `${names[0]} and ${names[1]}` : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  const attribute = cluster.shared_attribute.startsWith('is_a:') ? cluster.shared_attribute.slice(5) : '';
  const among = attribute ? `Among the ${plural(attribute)} ${list}` : `Of ${list}`;
  const who = chosen[0].kind === 'born' || chosen[0].kind === 'died' ? 'who' : 'which';
  // a name with "and" in it makes "A and B" hard to parse: "Which was established first: A or B?"
  const question = names.some((n) => /\sand\s/.test(n)) ? `${who === 'who' ? 'Who' : 'Which'} ${eventFirst(chosen[0])}: ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}?` : `${among}, ${who} ${eventFirst(chosen[0])}?`;
  return {
    style: 'synthesis',
    question,
    answer: winners[0].e.name,
    evidence: chosen.map((d) => evidenceOf(d.e, d.statement)),
    entityIds: chosen.map((d) => d.e.entity_id),
    operations: [],
    hops: chosen.length,
    intermediate: `${chosen[0].e.name}: ${chosen[0].year}`,
  };
}

function plural(noun: string): string {
  if (/(s|x|ch|sh)$/.test(noun)) return `${noun}es`;
  if (/[^aeiou]y$/.test(noun)) return `${noun.slice(0, -1)}ies`;
  return `${noun}s`;
}
