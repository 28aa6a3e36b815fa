import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../errors.ts';
import { encodeCursor, pageQuery, parsePageRequest } from './page.ts';
import { tableSpec, TABLES } from './specs.ts';

const trajectories = tableSpec('trajectories')!;

describe('table page requests', () => {
  it('refuses bad input with the parameter named', () => {
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ round: '3; DROP TABLE x' }, /^round: expected a whole number/],
      [{ verdict: 'maybe' }, /^verdict: expected true or false/],
      [{ min_reward: 'high' }, /^min_reward: expected a number/],
      [{ topic: 'fw.docs' }, /^topic: expected one of fw\.rollout\.trajectories/],
      [{ sort: 'question' }, /^sort: "question" is not a sort of Trajectories/],
      [{ dir: 'up' }, /^dir: expected asc or desc/],
      [{ after: 'not-a-cursor' }, /^after: not a page cursor/],
      [{ q: 'x'.repeat(201) }, /^q: search text longer than 200/],
    ];
    for (const [query, message] of bad) {
      const attempt = () => parsePageRequest(trajectories, query, 50);
      expect(attempt, JSON.stringify(query)).toThrow(BadRequestError);
      expect(attempt, JSON.stringify(query)).toThrow(message);
    }
    expect(() => parsePageRequest(tableSpec('drops')!, { q: 'x', verdict: 'true' }, 50)).not.toThrow(); // drops has no verdict filter: ignored
  });

  it('puts user input only in parameters, never in the SQL text', () => {
    const evil = "') OR 1=1 --";
    const req = parsePageRequest(trajectories, { round: '2', style: evil, q: evil, sort: 'reward', dir: 'asc', after: encodeCursor('0.5', evil) }, 50);
    const { sql, params } = pageQuery('flywheel', trajectories, req);
    expect(sql).not.toContain(evil);
    expect(sql).not.toMatch(/OFFSET/);
    expect(params).toMatchObject({ f_round: '2', f_style: evil, q: evil, c_sort: '0.5', c_id: evil, f_topic: 'fw.rollout.trajectories', limit: 51 });
    expect(sql).toContain('(reward, id) > ({c_sort:Float64}, {c_id:String})');
    expect(sql).toMatch(/ORDER BY reward ASC, id ASC\s+LIMIT \{limit:UInt32\}$/);
  });

  it('pages backwards by reversing the order, and every table declares a usable first sort', () => {
    const req = parsePageRequest(trajectories, { before: encodeCursor('2023-11-14 22:13:20.000', 't_9') }, 10);
    const { sql } = pageQuery('flywheel', trajectories, req);
    expect(sql).toContain("(created_at, id) > ({c_sort:DateTime64(3, 'UTC')}, {c_id:String})");
    expect(sql).toContain('ORDER BY created_at ASC, id ASC');
    for (const spec of TABLES) {
      expect(spec.sorts.some((s) => s.key === 'id'), spec.kind).toBe(true);
      expect(spec.columns[0].kind, spec.kind).toBe('link');
    }
  });
});
