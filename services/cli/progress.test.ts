import { describe, expect, it } from 'vitest';
import { progressLine } from './progress.ts';

const stream = (isTTY: boolean) => {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (s: string) => (written.push(s), true) } as unknown as NodeJS.WriteStream };
};

describe('progress line', () => {
  it('off a terminal: plain lines, at most one per interval, the last state at the end, no carriage return', () => {
    const { written, stream: s } = stream(false);
    const line = progressLine(s, 60_000);
    for (let i = 0; i < 100; i++) line.update(`lag ${100 - i}`);
    line.end();
    expect(written).toEqual(['lag 100\n', 'lag 1\n']);
    expect(written.join('')).not.toContain('\r');
  });

  it('on a terminal: redraws in place and ends the line', () => {
    const { written, stream: s } = stream(true);
    const line = progressLine(s);
    line.update('a');
    line.update('b');
    line.end();
    expect(written.join('')).toBe('\ra    \rb    \n');
  });
});
