import { queryTerms } from '../corpus/text.ts';
import { questionNames } from '../quality/attribute.ts';
import { pageFor, yearFor, type PageEvidence } from './extract.ts';

/** "How many years after A was founded was B born?": two entities, each with the words of its dated event. */
export interface YearGapQuestion {
  first: { name: string; event: string[] };
  second: { name: string; event: string[] };
  /** after: the second event's year minus the first's; before: the first's minus the second's. */
  direction: 'after' | 'before';
}

const YEAR_GAP = /^how many years (after|before)\s+(.+?)\?*$/i;
/** The inverted main clause starts at the last auxiliary followed by a name: "… was Jerry Glanville born". */
const INVERSION = /\b(?:was|were|did)\s+(?=[A-Z])/g;

export function yearGapQuestion(question: string): YearGapQuestion | undefined {
  const match = YEAR_GAP.exec(question.trim());
  if (!match) return undefined;
  const body = match[2];
  const inversion = [...body.matchAll(INVERSION)].at(-1);
  if (!inversion || inversion.index === 0) return undefined;
  const firstClause = body.slice(0, inversion.index);
  const secondClause = body.slice(inversion.index + inversion[0].length);
  const part = (clause: string) => {
    const name = questionNames(clause)[0];
    const at = name ? clause.indexOf(name) : -1;
    // the clause opens with its subject ("The Trafford Bar first opened"), else it is not this question's shape
    if (!name || !/^\s*(?:the\s+)?$/i.test(clause.slice(0, at))) return undefined;
    const event = queryTerms(clause.slice(at + name.length));
    return event.length ? { name, event } : undefined;
  };
  const first = part(firstClause);
  const second = part(secondClause);
  return first && second && first.name !== second.name ? { first, second, direction: match[1].toLowerCase() as 'after' | 'before' } : undefined;
}

/** The year of each event from the pages read, and the gap the question asks for (undefined until both are known). */
export function yearGap(question: string, pages: PageEvidence[]): { years: Record<string, number>; gap: number; code: string } | undefined {
  const asked = yearGapQuestion(question);
  if (!asked) return undefined;
  const [a, b] = [asked.first, asked.second].map((side) => {
    const page = pageFor(side.name, pages);
    return page ? yearFor(page, side.event) : undefined;
  });
  if (a === undefined || b === undefined) return undefined;
  const [later, earlier] = asked.direction === 'after' ? [asked.second.name, asked.first.name] : [asked.first.name, asked.second.name];
  const years = { [asked.first.name]: a, [asked.second.name]: b };
  const code = `years = ${JSON.stringify(years)}\nprint(years[${JSON.stringify(later)}] - years[${JSON.stringify(earlier)}])\n`;
  return { years, gap: years[later] - years[earlier], code };
}
