import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const projectRoot = path.resolve(import.meta.dirname, '..');

function sources(root: string, dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(root, rel);
    return /\.(ts|mts|js|mjs)$/.test(e.name) ? [rel] : [];
  });
}

/** Source lines without comments, so a comment that names a rule does not break it. */
function codeLines(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1')
    .split('\n');
}

/** Files under `root`/services (outside `allowedUnder`) with a code line matching `pattern`. */
function offenders(root: string, pattern: RegExp, allowedUnder: string[]): string[] {
  return sources(root, 'services')
    .filter((f) => !allowedUnder.some((dir) => f.startsWith(dir)))
    .filter((f) => codeLines(path.join(root, f)).some((line) => pattern.test(line)))
    .sort();
}

const kafkaClientImport = /(from\s+|import\s*\(\s*|require\s*\(\s*)['"](kafkajs|@platformatic\/kafka|node-rdkafka|@confluentinc\/kafka-javascript)(\/[^'"]*)?['"]/;
const envRead = /\bprocess\.env\b/;

// The rules of issue 16: services reach Kafka and their environment only through the platform.
describe('service boundaries', () => {
  it('no Kafka client library is imported under services/ outside services/platform/', () => {
    expect(offenders(projectRoot, kafkaClientImport, ['services/platform/'])).toEqual([]);
  });

  it('process.env is read only under services/platform/ and services/cli/ (the CLI passes the environment on)', () => {
    expect(offenders(projectRoot, envRead, ['services/platform/', 'services/cli/'])).toEqual([]);
  });

  it('no hand-written file under services/ is over 300 lines (generated ones say so in their first line)', () => {
    const long = sources(projectRoot, 'services').flatMap((file) => {
      const text = fs.readFileSync(path.join(projectRoot, file), 'utf8');
      const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      return lines > 300 && !text.startsWith('// Generated') ? [`${file}: ${lines} lines`] : [];
    });
    expect(long).toEqual([]);
  });

  it('names the offending files (and ignores comments and the allowed folders)', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-boundaries-'));
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    };
    try {
      write('services/a/bad.ts', "import type { Kafka } from 'kafkajs';\nexport const level = process.env.LOG_LEVEL;\n");
      write('services/a/lazy.ts', "export const load = () => import('kafkajs');\n");
      write('services/a/fine.ts', '// reads process.env? no: from the CLI\n/* import { Kafka } from \'kafkajs\' */\nexport const x = 1;\n');
      write('services/platform/kafka/ok.ts', "import { Kafka } from 'kafkajs';\nexport const e = process.env;\n");
      write('services/cli/ok.ts', 'export const e = process.env;\n');
      expect(offenders(root, kafkaClientImport, ['services/platform/'])).toEqual(['services/a/bad.ts', 'services/a/lazy.ts']);
      expect(offenders(root, envRead, ['services/platform/', 'services/cli/'])).toEqual(['services/a/bad.ts']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
