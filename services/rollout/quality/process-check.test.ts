import { describe, expect, it } from 'vitest';
import type { Step } from '../../platform/generated/records.ts';
import { checkProcess } from './process-check.ts';
import { operands } from './evidence.ts';

// Pages as the bundled HotpotQA data has them.
const RAYMOND =
  "Lisa Raymond (born August 10, 1973) is an American retired professional tennis player who has achieved notable success in doubles tennis. Raymond has 11 Grand Slam titles to her name: 6 in women's doubles and 5 in mixed doubles.";
const HUBER =
  "Liezel Huber (née Horn; born 21 August 1976) is a South African-American retired tennis player who represents the United States internationally. Huber has won four Grand Slam titles in women's doubles with partner Cara Black, one with Lisa Raymond, and two mixed doubles titles with Bob Bryan.";
const BAUDRY =
  'Patrick Pierre Roger Baudry (born March 6, 1946 in Cameroon), is a retired Lieutenant Colonel in the French Air Force and a former CNES astronaut. In 1985, he became the second French citizen in space, after Jean-Loup Chrétien, when he flew aboard NASA\'s Space Shuttle mission STS-51-G.';
const SOYUZ = 'Soyuz TM-7 was the seventh manned spacecraft to dock with the Soviet Space Station Mir. Its launch in November 1988 represented the start of the fourth long duration expedition.';
const BOSTIC = 'William Keith Bostic (born January 17, 1961) is a former professional American football player who played for seven seasons in the National Football League (NFL).';
const GLANVILLE =
  'Jerry Michael Glanville (born October 14, 1941) is a former American football player and coach, former NASCAR driver and owner, and sportscaster. He served as head coach of the Houston Oilers from 1986 to 1990 and the Atlanta Falcons from 1990 to 1994, compiling a career NFL record of 63–73.';
const PIRATES = "Pirate's Cove (in German, Piratenbucht) is a board game designed by Paul Randles and Daniel Stahl, originally published in Germany in 2002 by Amigo Spiele.";
const CATAN_DICE = 'Catan Dice Game is a German-style board game, developed by Klaus Teuber and published in 2007 by Catan GmbH and its licensors.';

class Trace {
  steps: Step[] = [];
  private add(thought: string, call: { name: string; args: Record<string, unknown> } | null, response = '', answer: string | null = null): this {
    this.steps.push({ index: this.steps.length, thought, report: '', tool_call: call && { name: call.name, arguments_json: JSON.stringify(call.args) }, tool_response: response, answer, input_tokens: 0, output_tokens: 0 });
    return this;
  }
  search(query: string, hits: Array<[string, string]> = []): this {
    const lines = hits.map(([title, snippet], i) => `${i + 1}. [${title}](local://doc/${i})\n${snippet}`);
    return this.add('I will search.', { name: 'search', args: { query: [query] } }, `A search for '${query}' found ${hits.length} results:\n\n## Web Results\n${lines.join('\n\n')}`);
  }
  visit(title: string, text: string): this {
    return this.add(`"${title}" looks relevant; I will read it.`, { name: 'visit', args: { url: `local://doc/${title}`, goal: 'q' } }, `The useful information in local://doc/x (${title}) for user goal "q" as follows:\n\nPage content:\n${text}`);
  }
  python(code: string, stdout: string): this {
    return this.add('I will compute it.', { name: 'PythonInterpreter', args: { code } }, `stdout:\n${stdout}\n`);
  }
  answer(answer: string, thought = `The answer is ${answer}.`): Step[] {
    return this.add(thought, null, '', answer).steps;
  }
}

const check = (question: string, prediction: string, steps: Step[]) => checkProcess({ question, prediction, steps });

describe('process check: trajectories right for the wrong reason are caught', () => {
  const titles = "Who has won more Grand Slam women's doubles titles, Lisa Raymond or Liezel Huber?";

  it('comparing the days of two birthdays for a question about titles (issue 10) is operand_unsupported', () => {
    const steps = new Trace()
      .search(titles)
      .visit('Lisa Raymond', RAYMOND)
      .visit('Liezel Huber', HUBER)
      .python('values = {"Lisa Raymond":10,"Liezel Huber":21}\nprint(max(values, key=values.get))\n', 'Liezel Huber')
      .answer('Liezel Huber');
    const verdict = check(titles, 'Liezel Huber', steps);
    expect(verdict).toMatchObject({ grounded: false, label: 'operand_unsupported' });
    expect(verdict.detail).toContain('Lisa Raymond = 10');
  });

  it('a count stated about the asked attribute on the right page is grounded', () => {
    const steps = new Trace()
      .visit('Lisa Raymond', RAYMOND)
      .visit('Liezel Huber', HUBER.replace('four Grand Slam titles', '5 Grand Slam titles'))
      .python('values = {"Lisa Raymond":11,"Liezel Huber":5}\nprint(max(values, key=values.get))\n', 'Lisa Raymond')
      .answer('Lisa Raymond');
    expect(check(titles, 'Lisa Raymond', steps)).toMatchObject({ grounded: true, label: 'grounded' });
  });

  it('searching the bare answer before working it out ("The question goes through 1995") is searched_for_answer', () => {
    const q = 'The Settlers of Catan is a multiplayer board game first published in which year in Germany by Kosmos?';
    const steps = new Trace().search(q).visit('Catan', 'The Settlers of Catan is a multiplayer board game first published in 1995 in Germany by Kosmos.').search('1995').answer('1995');
    expect(check(q, '1995', steps)).toMatchObject({ grounded: false, label: 'searched_for_answer' });
    const number = new Trace().search(q).visit('Catan', 'The Settlers of Catan was first published in 1995 in Germany.').search('1989').answer('1995');
    expect(check(q, '1995', number).label).toBe('searched_for_answer');
  });

  it('a comparison answered without computing it from values is comparison_unsupported', () => {
    const q = "Which board game was published most recently, Pirate's Cove or Catan?";
    const steps = new Trace().search(q).visit("Pirate's Cove", PIRATES).visit('Catan Dice Game', CATAN_DICE).answer("Pirate's Cove");
    expect(check(q, "Pirate's Cove", steps).label).toBe('comparison_unsupported');
  });

  it('an operand read from a page about something else ("Catan Dice Game" for "Catan") is operand_unsupported', () => {
    const q = "Which board game was published most recently, Pirate's Cove or Catan?";
    const steps = new Trace()
      .visit("Pirate's Cove", PIRATES)
      .visit('Catan Dice Game', CATAN_DICE)
      .python(`values = {"Pirate's Cove":2002,"Catan":2007}\nprint(max(values, key=values.get))\n`, 'Catan')
      .answer('Catan');
    expect(check(q, 'Catan', steps)).toMatchObject({ grounded: false, label: 'operand_unsupported' });
  });

  it('citing a page that gave nothing (Soyuz TM-7 for Patrick Baudry) is cites_unused_page', () => {
    const q = 'In which year did the former CNES astronaut become the second French citizen in space aboard mission STS-51-G?';
    const steps = new Trace().search(q).visit('Patrick Baudry', BAUDRY).visit('Soyuz TM-7', SOYUZ).answer('1985', 'From "Patrick Baudry", "Soyuz TM-7", the answer is 1985.');
    expect(check(q, '1985', steps)).toMatchObject({ grounded: false, label: 'cites_unused_page' });
    const clean = new Trace().search(q).visit('Patrick Baudry', BAUDRY).answer('1985', `"Patrick Baudry" says: "In 1985, he became the second French citizen in space." The answer is 1985.`);
    expect(check(q, '1985', clean)).toMatchObject({ grounded: true });
  });

  it('a birth year given for the year of something else is answer_off_attribute', () => {
    const q = 'In which year did Jerry Glanville become head coach of the Atlanta Falcons?';
    const steps = new Trace().search(q).visit('Jerry Glanville', 'Jerry Michael Glanville (born 1941) is a former American football player and sportscaster.').answer('1941');
    expect(check(q, '1941', steps)).toMatchObject({ grounded: false, label: 'answer_off_attribute' });
    const right = new Trace().search(q).visit('Jerry Glanville', GLANVILLE).answer('1990');
    expect(check(q, '1990', right).label).toBe('grounded');
  });

  it('an answer no tool returned is answer_not_in_tools', () => {
    const q = 'Who directed the 1957 film Plan 9 from Outer Space?';
    const steps = new Trace().search(q).visit('Plan 9 from Outer Space', 'Plan 9 from Outer Space is a 1957 American science fiction film.').answer('Ed Wood');
    expect(check(q, 'Ed Wood', steps).label).toBe('answer_not_in_tools');
  });

  it('a yes/no answer needs a page about each entity that speaks of the property', () => {
    const q = 'Were Scott Derrickson and Ed Wood of the same nationality?';
    const one = new Trace().search(q).visit('Scott Derrickson', 'Scott Derrickson (born July 16, 1966) is an American director.').answer('yes');
    expect(check(q, 'yes', one).label).toBe('yes_no_unsupported');
    const both = new Trace()
      .search(q)
      .visit('Scott Derrickson', 'Scott Derrickson (born July 16, 1966) is an American director.')
      .visit('Ed Wood', 'Edward Davis Wood Jr. (October 10, 1924 – December 10, 1978) was an American filmmaker.')
      .answer('yes');
    expect(check(q, 'yes', both).label).toBe('grounded');
  });

  it('the lead dates of each option ground a who-is-younger comparison', () => {
    const q = 'who is younger Keith Bostic or Jerry Glanville ?';
    const steps = new Trace()
      .search(q)
      .visit('Keith Bostic (American football)', BOSTIC)
      .visit('Jerry Glanville', GLANVILLE)
      .python('values = {"Keith Bostic":1961,"Jerry Glanville":1941}\nprint(max(values, key=values.get))\n', 'Keith Bostic')
      .answer('Keith Bostic');
    expect(check(q, 'Keith Bostic', steps)).toMatchObject({ grounded: true });
  });

  it('a number that is part of a title ("Hellbilly Deluxe 2" for "how many") is answer_only_in_name', () => {
    const q = 'Hellbilly Deluxe how many was released on the 2010s, through Roadrunner Records?';
    const page = 'Hellbilly Deluxe 2 is the fourth solo studio album by Rob Zombie. It was released on February 2, 2010, through Roadrunner Records.';
    const steps = new Trace().search(q).visit('Hellbilly Deluxe 2', page).answer('2');
    expect(check(q, '2', steps).label).toBe('answer_only_in_name');
  });

  it('wandering on after the evidence was in hand (an off-topic page, a hop through "Roller Coaster") is wandered_after_answer', () => {
    const q = 'Erika Jayne is ranked which number on Billboard\'s 100 Greatest of All Time Dance Club Artists?';
    const jayne = 'Erika Girardi (born 10 July 1971), known professionally as Erika Jayne, is an American singer. She is ranked #42 on Billboard\'s 100 Greatest of All Time Dance Club Artists.';
    const steps = new Trace().search(q).visit('Erika Jayne', jayne).visit('Divya S. Menon', 'Divya S. Menon (born 14 March 1987) is an Indian singer.').search('Roller Coaster').answer('42');
    expect(check(q, '42', steps)).toMatchObject({ grounded: false, label: 'wandered_after_answer' });
    const direct = new Trace().search(q).visit('Erika Jayne', jayne).answer('42');
    expect(check(q, '42', direct).label).toBe('grounded');
  });

  it('a multi-hop question answered without reading the page that identifies X (Tata Consultancy Services) is hop_skipped', () => {
    const q = 'X is a subsidiary of the Tata Group and operates in how many countries? (X is the one named in: "Sachin Warrier was working as a software engineer in X in Kochi")';
    const tcs = 'Tata Consultancy Services Limited (TCS) is an Indian multinational IT company. It is a subsidiary of the Tata Group and operates in 46 countries.';
    const hops = [
      { doc_id: 'doc_warrier', statement: 'Sachin Warrier was working as a software engineer in Tata Consultancy Services in Kochi.' },
      { doc_id: 'Tata Consultancy Services', statement: 'It is a subsidiary of the Tata Group and operates in 46 countries.' },
    ];
    const skipped = new Trace().search(q).visit('Tata Consultancy Services', tcs).answer('46');
    expect(checkProcess({ question: q, prediction: '46', steps: skipped, hops })).toMatchObject({ grounded: false, label: 'hop_skipped' });
    const thought = '"Sachin Warrier" leads to Tata Consultancy Services. "Tata Consultancy Services" says: "It is a subsidiary of the Tata Group and operates in 46 countries." The answer is 46.';
    const resolved = new Trace().search(q).visit('Sachin Warrier', hops[0].statement).visit('Tata Consultancy Services', tcs).answer('46', thought);
    expect(checkProcess({ question: q, prediction: '46', steps: resolved, hops }).label).toBe('grounded');
  });

  it('a rank given for "how many" ("co-World No. 1") is not a count', () => {
    const q = 'On 12 November 2007, Liezel Huber became the co-World No. how many in doubles with Cara Black?';
    const steps = new Trace().search(q).visit('Liezel Huber', 'On 12 November 2007, she became the co-World No. 1 in doubles with Cara Black.').answer('1');
    expect(check(q, '1', steps).label).toBe('answer_only_in_name');
  });

  it('the tail of a longer name ("Will Radio" of "an At Will Radio podcast") is answer_truncated', () => {
    const q = 'Which name completes this statement about The Drop-In (podcast): "The Drop-In is an ___ podcast hosted by Will Malnati"?';
    const page = 'The Drop-In is an At Will Radio podcast hosted by Will Malnati.';
    expect(check(q, 'Will Radio', new Trace().search(q).visit('The Drop-In (podcast)', page).answer('Will Radio')).label).toBe('answer_truncated');
    expect(check(q, 'At Will Radio', new Trace().search(q).visit('The Drop-In (podcast)', page).answer('At Will Radio')).label).toBe('grounded');
  });

  it('comparing birth years for "who died first" is operand_unsupported; the years after the dash are the deaths', () => {
    const q = 'Who died first, George Archainbaud or Ralph Murphy?';
    const archainbaud = 'George Archainbaud (May 7, 1890 – February 20, 1959) was a French-born American film and television director.';
    const murphy = 'Ralph Murphy (May 1, 1895 – February 10, 1967) was an American film director.';
    const trace = (a: number, m: number) =>
      new Trace().visit('George Archainbaud', archainbaud).visit('Ralph Murphy', murphy).python(`values = {"George Archainbaud":${a},"Ralph Murphy":${m}}\nprint(min(values, key=values.get))\n`, 'George Archainbaud').answer('George Archainbaud');
    expect(check(q, 'George Archainbaud', trace(1890, 1895))).toMatchObject({ grounded: false, label: 'operand_unsupported' });
    expect(check(q, 'George Archainbaud', trace(1959, 1967)).label).toBe('grounded');
  });

  it('an answer shown for one of two entities the question asks about is partial_evidence', () => {
    const q = 'What nationality were social anthropologists Alfred Gell and Edmund Leach?';
    const gell = 'Alfred Antony Francis Gell (June 12, 1945 – January 28, 1997) was a British social anthropologist. He was trained by Edmund Leach.';
    const leach = 'Sir Edmund Ronald Leach (7 November 1910 – 6 January 1989) was a British social anthropologist and academic.';
    expect(check(q, 'British', new Trace().search(q).visit('Alfred Gell', gell).answer('British')).label).toBe('partial_evidence');
    expect(check(q, 'British', new Trace().search(q).visit('Alfred Gell', gell).visit('Edmund Leach', leach).answer('British')).label).toBe('grounded');
  });

  it('a duo found for one of the two works the question names is partial_evidence; "Plan 9 from Outer Space" is one name', async () => {
    const q = 'Which songwriting duo composed music for "La La Land", and created lyrics for "A Christmas Story: The Musical"?';
    const musical = 'A Christmas Story: The Musical is a musical version of the film. The musical has music and lyrics written by Pasek & Paul.';
    expect(check(q, 'Pasek & Paul', new Trace().search(q).visit('A Christmas Story: The Musical', musical).answer('Pasek & Paul')).label).toBe('partial_evidence');
    const { askedPair } = await import('./attribute.ts');
    expect(askedPair(q)).toEqual(['La La Land', 'A Christmas Story: The Musical']);
    expect(askedPair('Who directed the 1957 science fiction film Plan 9 from Outer Space?')).toBeUndefined();
  });

  it('"Among A and B, who was born first?" answered from one page is comparison_unsupported', () => {
    const q = 'Among the engineers William Connolley and Sachin Bansal, who was born first?';
    const page = 'William Michael Connolley (born 12 April 1964) is a British software engineer, writer, and blogger on climatology.';
    expect(check(q, 'William Michael Connolley', new Trace().search(q).visit('William Connolley', page).answer('William Michael Connolley')).label).toBe('comparison_unsupported');
  });

  it('comparing two of five players for "who was born first" is comparison_unsupported', () => {
    const q = 'Among the players Ferdi Taygan, Martina Hingis, William Keith Bostic, Mahesh Bhupathi and Jerry Glanville, who was born first?';
    const steps = new Trace()
      .visit('Mahesh Bhupathi', 'Mahesh Shrinivas Bhupathi (born 7 June 1974) is a retired Indian professional tennis player.')
      .visit('Jerry Glanville', GLANVILLE)
      .python('values = {"Mahesh Bhupathi":1974,"Jerry Glanville":1941}\nprint(min(values, key=values.get))\n', 'Jerry Glanville')
      .answer('Jerry Glanville');
    const verdict = check(q, 'Jerry Glanville', steps);
    expect(verdict.label).toBe('comparison_unsupported');
    expect(verdict.detail).toContain('Ferdi Taygan');
  });

  it('an empty prediction is no_answer', () => {
    expect(check('Who?', '  ', []).label).toBe('no_answer');
  });
});

describe('operands of a computation', () => {
  it('reads keyed values and bare literals', () => {
    expect(operands('values = {"A": 10, \'B\': 2_000}\nprint(max(values))')).toEqual([{ key: 'A', value: '10' }, { key: 'B', value: '2000' }]);
    expect(operands('print(2020 - 1995, "x 7")')).toEqual([{ value: '2020' }, { value: '1995' }]);
  });
});

describe('sentences for evidence', () => {
  it('do not end at initials or "Jr." and do end at a snippet\'s " … "', async () => {
    const { splitSentences } = await import('../corpus/text.ts');
    expect(splitSentences('Fast also wrote under the pen names E. V. Cunningham and Walter Ericson. He died in 2003.')).toEqual(['Fast also wrote under the pen names E. V. Cunningham and Walter Ericson.', 'He died in 2003.']);
    expect(splitSentences('The Bill Martin Jr. Award was established in 1996.')).toHaveLength(1);
    expect(splitSentences('The 1989 season was the 30th. … Perhaps the lowest point')).toEqual(['The 1989 season was the 30th.', 'Perhaps the lowest point']);
  });
});
