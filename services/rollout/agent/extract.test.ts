import { describe, expect, it } from 'vitest';
import { choiceOptions, numericComparison, pairedEntities } from './extract.ts';

describe('scripted extraction: values for a comparison', () => {
  it('takes the first year a page gives, not the smallest ("the campaign of 1944-45" is not the battle\'s year)', () => {
    const pages = [
      { title: 'Seven Days Battles', text: 'The Seven Days Battles were a series of six major battles over the seven days from June 25 to July 1, 1862, near Richmond, Virginia.' },
      { title: 'Battle of Manila (1945)', text: 'The Battle of Manila (February 3, 1945 – March 3, 1945) was a major battle of the Philippine campaign of 1944-45, during the Second World War.' },
    ];
    expect(numericComparison('Which was fought earlier in our nation\'s history, the Seven Days Battles or the Battle of Manila?', pages)).toEqual({ values: { 'Seven Days Battles': 1862, 'Battle of Manila': 1945 }, pick: 'min' });
  });

  it('compares deaths, not births, for "who died first"', () => {
    const pages = [
      { title: 'George Archainbaud', text: 'George Archainbaud (May 7, 1890 – February 20, 1959) was a French-born American film and television director.' },
      { title: 'Ralph Murphy', text: 'Ralph Murphy (May 1, 1895 – February 10, 1967) was an American film director. Born in Rockville, Connecticut, Murphy was active in films from 1931 through 1962.' },
    ];
    expect(numericComparison('Who died first, George Archainbaud or Ralph Murphy?', pages)).toEqual({ values: { 'George Archainbaud': 1959, 'Ralph Murphy': 1967 }, pick: 'min' });
  });

  it('never takes the day of a birthday as a count of titles', () => {
    const pages = [
      { title: 'Lisa Raymond', text: "Lisa Raymond (born August 10, 1973) is an American tennis player. Raymond has 11 Grand Slam titles to her name: 6 in women's doubles and 5 in mixed doubles." },
      { title: 'Liezel Huber', text: 'Liezel Huber (born 21 August 1976) is a tennis player. Huber has won four Grand Slam titles in women\'s doubles. On 12 November 2007, she became the co-World No. 1 in doubles.' },
    ];
    // Huber's count is written in words: no value, so no computation (and no SFT sample) rather than 21 or 1
    expect(numericComparison("Who has won more Grand Slam women's doubles titles, Lisa Raymond or Liezel Huber?", pages)).toBeUndefined();
  });

  it('reads options without their quotes and the pair of a yes/no question', () => {
    expect(choiceOptions('Which came to market first, "Hey Pa! There\'s a Goat on the Roof" or "Poleconomy"')).toEqual(["Hey Pa! There's a Goat on the Roof", 'Poleconomy']);
    expect(pairedEntities('Were Scott Derrickson and Ed Wood of the same nationality?')).toEqual(['Scott Derrickson', 'Ed Wood']);
    expect(choiceOptions('Among the engineers William Connolley and Sachin Bansal, who was born first?')).toEqual(['William Connolley', 'Sachin Bansal']);
    expect(choiceOptions('Of Toy Story and John Lasseter, which is associated with the earliest year?')).toEqual(['Toy Story', 'John Lasseter']);
    expect(choiceOptions('Of Maltin on Movies and Nerdist News, which was launched first?')).toEqual(['Maltin on Movies', 'Nerdist News']);
    expect(choiceOptions('Among the players Ferdi Taygan, Martina Hingis and Jerry Glanville, who was born first?')).toBeUndefined();
  });
});
