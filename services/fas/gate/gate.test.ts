import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../platform/generated/records.ts';
import { QuestionIndex } from '../dedup.ts';
import type { QuestionDraft } from '../draft.ts';
import { inspect, QuestionGate } from './index.ts';

const member = (entity_id: string, name: string, statements: string[]) => ({ entity_id, name, statements, doc_ids: [`doc_${entity_id}`], statement_doc_ids: statements.map(() => `doc_${entity_id}`) });
const HUBER = 'Liezel Huber (née Horn; born 21 August 1976) is a South African-American retired tennis player who represents the United States internationally.';
const RAYMOND = 'On June 12, 2000, Lisa Raymond reached the world number one ranking in doubles.';
const GLANVILLE = 'Jerry Glanville served as head coach of the Houston Oilers from 1986 to 1990 and the Atlanta Falcons from 1990 to 1994, compiling a career NFL record of 63–73.';
const UNITED = 'Nicknamed "the Red Devils", the club was founded as Newton Heath LYR Football Club in 1878, changed its name to Manchester United in 1902 and moved to its current stadium, Old Trafford, in 1910.';
const cluster: Cluster = {
  id: 'c', round: 1, parent_ids: [], producer: { service: 't', version: '0', instance: '' }, created_at: 0, kind: 'random_walk', seed: 1, shared_attribute: '', edges: [],
  entities: [
    member('liezel_huber', 'Liezel Huber', [HUBER]),
    member('lisa_raymond', 'Lisa Raymond', ['Lisa Raymond (born August 10, 1973) is an American retired professional tennis player.', RAYMOND]),
    member('jerry_glanville', 'Jerry Glanville', [GLANVILLE]),
    member('manchester_united', 'Manchester United', [UNITED]),
    member('twenty', 'Twenty-', ['Twenty-Something is the second album by Tantric, released in 2001.']),
    member('mind_control', 'Mind Control (Tantric album)', ['Mind Control (Tantric album) is the fifth album by Tantric, released in 2009.']),
    member('catan', 'Settlers of Catan', ['Settlers of Catan was first published in 1995.']),
    member('rivals', 'The Rivals for Catan', ['The Rivals for Catan was released in 2010.']),
  ],
};
const ev = (entity_id: string, statement: string) => ({ entity_id, statement, doc_id: `doc_${entity_id}` });
const draft = (over: Partial<QuestionDraft>): QuestionDraft => ({ style: 'factual', question: '', answer: '', evidence: [], entityIds: [], operations: [], hops: 1, ...over });
const reason = (d: Partial<QuestionDraft>) => inspect(draft(d), cluster)?.reason;

describe('question gate: the malformed questions of issue 10', () => {
  it('drops a question whose blurring erased the facts it needs (blurred-answer-clause)', () => {
    expect(
      reason({
        question: 'X served as head coach of the Houston Oilers from which year to the 1990s and the Atlanta Falcons from the 1990s to the 1990s, compiling a career NFL record of 63–73?',
        answer: '1986', evidence: [ev('jerry_glanville', GLANVILLE)],
        operations: [{ op: 'describe_entity', detail: 'Jerry Glanville → X' }, { op: 'blur_date', detail: '1990 → the 1990s' }, { op: 'blur_date', detail: '1994 → the 1990s' }],
      }),
    ).toBe('question:blurred-answer-clause');
  });

  it('drops "in how many" answered by a year (wrong-question-word)', () => {
    expect(
      reason({
        question: 'Nicknamed "the Red Devils", the club was founded as Newton Heath LYR Football Club in the 1870s, changed its name to Manchester United in how many and moved to its current stadium, Old Trafford, in the 1910s?',
        answer: '1902', evidence: [ev('manchester_united', UNITED)], operations: [{ op: 'blur_date', detail: '1878 → the 1870s' }, { op: 'blur_date', detail: '1910 → the 1910s' }],
      }),
    ).toBe('question:wrong-question-word');
  });

  it('drops a cut entity name (entity-cut)', () => {
    expect(
      reason({ style: 'synthesis', question: 'Among the albums Twenty- and Mind Control (Tantric album), which was released first?', answer: 'Twenty-', evidence: [ev('twenty', cluster.entities[4].statements[0]), ev('mind_control', cluster.entities[5].statements[0])] }),
    ).toBe('question:entity-cut');
  });

  it('drops a computed answer whose operand is not a value the question refers to (unsupported-answer)', () => {
    expect(
      reason({
        style: 'numeric',
        question: 'How many years passed between the year in which Liezel Huber is a South African-American retired tennis player who represents the United States internationally and the year in which Lisa Raymond reached the world number one ranking in doubles?',
        answer: '24', evidence: [ev('liezel_huber', HUBER), ev('lisa_raymond', RAYMOND)],
      }),
    ).toBe('question:unsupported-answer');
    // the same two statements, asked about what their years are the years of, pass
    expect(reason({ style: 'numeric', question: 'How many years after Liezel Huber was born did Lisa Raymond reach the world number one ranking in doubles?', answer: '24', evidence: [ev('liezel_huber', HUBER), ev('lisa_raymond', RAYMOND)] })).toBeUndefined();
  });

  it('drops a vague comparison (vague)', () => {
    expect(
      reason({ style: 'synthesis', question: 'Of Settlers of Catan and The Rivals for Catan, which is associated with the earliest year in what is recorded about them?', answer: 'Settlers of Catan', evidence: [ev('catan', 'Settlers of Catan was first published in 1995.'), ev('rivals', 'The Rivals for Catan was released in 2010.')] }),
    ).toBe('question:vague');
  });
});

describe('question gate: other checks', () => {
  const born = [ev('liezel_huber', HUBER)];
  it('checks that the question word fits the answer', () => {
    expect(reason({ question: 'Who was Liezel Huber born?', answer: '1976', evidence: born })).toBe('question:wrong-question-word');
    expect(reason({ question: 'In which year was Liezel Huber born?', answer: 'Horn', evidence: born })).toBe('question:wrong-question-word');
    expect(reason({ question: 'How many titles did Liezel Huber win in 1976?', answer: 'Horn', evidence: born })).toBe('question:wrong-question-word');
    expect(reason({ question: 'In which year was Liezel Huber born?', answer: '1976', evidence: born })).toBeUndefined();
  });

  it('catches leaked answers, including a surname alone', () => {
    expect(reason({ question: 'Which player, Huber or Raymond, was born in South Africa?', answer: 'Liezel Huber', evidence: born })).toBe('question:answer-leaked');
    expect(reason({ question: 'In which year (1976) was Liezel Huber born?', answer: '1976', evidence: born })).toBe('question:answer-leaked');
  });

  it('catches a hop given away by the question', () => {
    expect(reason({ style: 'multi_hop', question: 'In which year was the partner of Lisa Raymond, Liezel Huber, born?', answer: '1976', evidence: born, hidden: ['Liezel Huber'] })).toBe('question:hop-given-away');
    expect(reason({ style: 'multi_hop', question: 'In which year was the doubles partner named Huber born?', answer: '1976', evidence: born, hidden: ['Liezel Huber'] })).toBe('question:hop-given-away');
  });

  it('catches template leftovers and an answer the evidence does not state', () => {
    expect(reason({ question: 'In which year was X born?', answer: '1976', evidence: born })).toBe('question:placeholder');
    expect(reason({ question: 'Who reached the world number one ranking in a certain year?', answer: 'Lisa Raymond', evidence: [ev('lisa_raymond', RAYMOND)] })).toBe('question:placeholder');
    expect(reason({ question: 'In which year was Liezel Huber born?', answer: '1977', evidence: born })).toBe('question:unsupported-answer');
    expect(reason({ question: 'In which year did Liezel Huber retire?', answer: '1976', evidence: born })).toBe('question:unsupported-answer');
  });

  it('drops near-duplicates of kept questions but not a replay of the same input', () => {
    const gate = new QuestionGate(new QuestionIndex(0.7));
    const q = draft({ question: 'In which year was Liezel Huber born?', answer: '1976', evidence: born });
    expect(gate.check(q, cluster, 'q1', 'p@1')).toBeUndefined();
    expect(gate.check(q, cluster, 'q1', 'p@1')).toBeUndefined();
    expect(gate.check({ ...q, question: 'In which year was Liezel Huber born ?'.replace(' ?', '?') }, cluster, 'q2', 'p@2')?.reason).toBe('question:near-duplicate');
  });
});
