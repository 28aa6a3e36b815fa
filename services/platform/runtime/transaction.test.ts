import { expect, it } from 'vitest';
import { splitBySize } from './transaction.ts';

it('splits a transaction into produce requests under the size limit, in order', () => {
  const messages = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(i === 5 ? 5000 : 300) }));
  const parts = splitBySize(messages, 1000);
  expect(parts.flat()).toEqual(messages);
  for (const part of parts) {
    const bytes = part.reduce((s, m) => s + m.value.length + m.key.length + 64, 0);
    expect(part.length === 1 || bytes <= 1000).toBe(true);
  }
  expect(parts.find((p) => p.some((m) => m.value.length === 5000))).toHaveLength(1);
  expect(splitBySize([], 1000)).toEqual([]);
});
