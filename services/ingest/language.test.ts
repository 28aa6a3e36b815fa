import fs from 'node:fs';
import path from 'node:path';
import { franc } from 'franc-min';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../platform/paths.ts';
import { detectLanguage, ISO1 } from './language.ts';

describe('language detection', () => {
  it("gives franc-min's own answer on every text, in every script and length", () => {
    const paragraphs = fs
      .readFileSync(path.join(projectRoot, 'data/hotpotqa/dev_300.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .slice(0, 60)
      .flatMap((line) => (JSON.parse(line) as { paragraphs: Array<{ title: string; text: string }> }).paragraphs.flatMap((p) => [p.title, p.text]));
    const others = [
      'Der schnelle braune Fuchs springt über den faulen Hund, und die Katze schläft auf dem warmen Sofa.',
      'Le renard brun rapide saute par-dessus le chien paresseux pendant que le chat dort.',
      'Бързата кафява лисица прескача мързеливото куче, а котката спи на топлия диван.',
      '敏捷的棕色狐狸跳过了懒狗，猫在温暖的沙发上睡觉。',
      'すばやい茶色の狐はのろまな犬を飛び越え、猫は暖かいソファで眠る。',
      'Η γρήγορη καφέ αλεπού πηδάει πάνω από τον τεμπέλη σκύλο.',
      'الثعلب البني السريع يقفز فوق الكلب الكسول',
      'short', '', '1234567890 !!! ???', 'Naïve café – “quoted” text with ümlauts and ß in it, mostly English words.',
    ];
    const texts = [...paragraphs, ...others, ...paragraphs.map((p) => p.repeat(5)).slice(0, 40)];
    expect(texts.length).toBeGreaterThan(1000);
    for (const text of texts) {
      const expected = franc(text.slice(0, 2000), { minLength: 20 });
      expect([text.slice(0, 60), detectLanguage(text)]).toEqual([text.slice(0, 60), ISO1[expected] ?? expected]);
    }
  });
});
