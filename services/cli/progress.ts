/**
 * A progress line: redrawn in place on a terminal, and as plain lines at most every `everyMs` otherwise, so a log
 * written to a file or a CI transcript never fills with carriage-return frames. `end()` finishes the line (and
 * prints the last state off a terminal, when it changed since the last line).
 */
export function progressLine(stream: NodeJS.WriteStream = process.stderr, everyMs = 5000): { update(text: string): void; end(): void } {
  const tty = Boolean(stream.isTTY);
  let lastAt = 0;
  let last = '';
  let shown = '';
  return {
    update(text) {
      last = text;
      if (tty) {
        stream.write(`\r${text}    `);
        shown = text;
      } else if (Date.now() - lastAt >= everyMs && text !== shown) {
        stream.write(`${text}\n`);
        lastAt = Date.now();
        shown = text;
      }
    },
    end() {
      if (tty && shown) stream.write('\n');
      else if (!tty && last && last !== shown) stream.write(`${last}\n`);
      last = shown = '';
    },
  };
}
