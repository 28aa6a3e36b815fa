import type { Cluster, ClusterEntity } from '../platform/generated/records.ts';
import { evidenceOf, pick, YEAR, YEARS, type QuestionDraft, type QuestionStrategy } from './draft.ts';
import { askableSpans, replaceName, withoutYear } from './spans.ts';

const mentions = (text: string, name: string) => replaceName(text, name, '\u0000') !== text;

const EVENT_VERBS = ['born', 'founded', 'built', 'opened', 'released', 'established', 'formed', 'published', 'created', 'completed', 'launched', 'died'];

/** Deterministic question templates: one candidate per style where the cluster supports it. No model needed. */
export class TemplateStrategy implements QuestionStrategy {
  readonly name = 'template' as const;

  async propose(cluster: Cluster, random: () => number): Promise<QuestionDraft[]> {
    return [factual(cluster, random), numeric(cluster, random), multiHop(cluster, random), synthesis(cluster, random)].filter((d): d is QuestionDraft => !!d);
  }
}

/** One statement, one answer span: "The lighthouse was built in which year on the north pier?" */
function factual(cluster: Cluster, random: () => number): QuestionDraft | undefined {
  const options = cluster.entities.flatMap((e) => e.statements.flatMap((s, i) => askableSpans(s, e.name).map((span) => ({ e, i, span }))));
  const preferred = options.filter((o) => o.span.kind !== 'name');
  const chosen = pick(preferred.length ? preferred : options, random);
  if (!chosen) return undefined;
  return {
    style: 'factual',
    question: chosen.span.question,
    answer: chosen.span.answer,
    evidence: [evidenceOf(chosen.e, chosen.i)],
    entityIds: [chosen.e.entity_id],
    operations: [],
    hops: 1,
    intermediate: chosen.span.answer,
  };
}

interface Dated {
  e: ClusterEntity;
  i: number;
  year: number;
}

/** Statements that state exactly one year and are short enough to quote as a clause. */
function datedStatements(cluster: Cluster): Dated[] {
  return cluster.entities.flatMap((e) =>
    e.statements.flatMap((s, i) => {
      const years = new Set(s.match(YEARS) ?? []);
      const y = YEAR.exec(s)?.[1];
      return y && years.size === 1 && s.length <= 220 ? [{ e, i, year: Number(y) }] : [];
    }),
  );
}

/** Two dated statements (of two entities when possible): how many years lie between them. */
function numeric(cluster: Cluster, random: () => number): QuestionDraft | undefined {
  const dated = datedStatements(cluster);
  const a = pick(dated, random);
  if (!a) return undefined;
  const others = dated.filter((d) => d.year !== a.year && d.e.entity_id !== a.e.entity_id);
  const b = pick(others.length ? others : dated.filter((d) => d.year !== a.year), random);
  if (!b) return undefined;
  const clause = (d: Dated) => withoutYear(d.e.statements[d.i], String(d.year));
  return {
    style: 'numeric',
    question: `How many years passed between the year in which ${clause(a)} and the year in which ${clause(b)}?`,
    answer: String(Math.abs(a.year - b.year)),
    evidence: [evidenceOf(a.e, a.i), evidenceOf(b.e, b.i)],
    entityIds: [...new Set([a.e.entity_id, b.e.entity_id])],
    operations: [],
    hops: 2,
    intermediate: String(a.year),
  };
}

/**
 * Bridge question: entity B is named in a statement of A; the question asks about B through that statement
 * (B replaced by X — the describe_entity operation), so answering needs both hops.
 */
function multiHop(cluster: Cluster, random: () => number): QuestionDraft | undefined {
  const options: Array<{ a: ClusterEntity; b: ClusterEntity; ia: number; ib: number; span: ReturnType<typeof askableSpans>[number] }> = [];
  for (const a of cluster.entities) {
    for (const b of cluster.entities) {
      if (a === b || !b.name) continue;
      const ia = a.statements.findIndex((s) => mentions(s, b.name));
      if (ia < 0) continue;
      b.statements.forEach((s, ib) => {
        if (!mentions(s, b.name) || mentions(s, a.name)) return;
        for (const span of askableSpans(s, b.name)) if (span.kind !== 'name') options.push({ a, b, ia, ib, span });
      });
    }
  }
  const chosen = pick(options, random);
  if (!chosen) return undefined;
  const { a, b, ia, ib, span } = chosen;
  const bridge = replaceName(a.statements[ia], b.name, 'X').replace(/\.$/, '');
  return {
    style: 'multi_hop',
    question: `${replaceName(span.question, b.name, 'X')} (X is the one named in: "${bridge}")`,
    answer: span.answer,
    evidence: [evidenceOf(a, ia), evidenceOf(b, ib)],
    entityIds: [a.entity_id, b.entity_id],
    operations: [{ op: 'describe_entity', detail: `${b.name} → X, described through a statement about ${a.name}` }],
    hops: 2,
    intermediate: b.name,
  };
}

/** Compare dated facts across 2+ entities: which came first. The answer is an entity, found only by reading all. */
function synthesis(cluster: Cluster, random: () => number): QuestionDraft | undefined {
  const dated = datedStatements(cluster);
  const verbs = EVENT_VERBS.filter((v) => new Set(dated.filter((d) => new RegExp(`\\b${v}\\b`).test(d.e.statements[d.i])).map((d) => d.e.entity_id)).size >= 2);
  const verb = pick(verbs, random);
  const perEntity = new Map<string, Dated>();
  for (const d of dated) {
    if (verb && !new RegExp(`\\b${verb}\\b`).test(d.e.statements[d.i])) continue;
    if (!perEntity.has(d.e.entity_id)) perEntity.set(d.e.entity_id, d);
  }
  const chosen = [...perEntity.values()];
  if (chosen.length < 2) return undefined;
  const earliest = Math.min(...chosen.map((d) => d.year));
  const winners = chosen.filter((d) => d.year === earliest);
  if (winners.length !== 1) return undefined;
  const names = chosen.map((d) => d.e.name);
  const list = names.length === 2 ? `${names[0]} and ${names[1]}` : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  const attribute = cluster.shared_attribute.startsWith('is_a:') ? cluster.shared_attribute.slice(5) : '';
  const among = attribute ? `Among the ${attribute}s ${list}` : `Of ${list}`;
  const predicate = !verb ? 'is associated with the earliest year in what is recorded about them' : verb === 'died' ? 'died first' : `was ${verb} first`;
  return {
    style: 'synthesis',
    question: `${among}, which ${predicate}?`,
    answer: winners[0].e.name,
    evidence: chosen.map((d) => evidenceOf(d.e, d.i)),
    entityIds: chosen.map((d) => d.e.entity_id),
    operations: [],
    hops: chosen.length,
    intermediate: `${chosen[0].e.name}: ${chosen[0].year}`,
  };
}
