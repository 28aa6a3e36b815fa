import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../services/platform/paths.ts';
import { allTests, unitTests } from './lanes.ts';

/** What a test file imports when it talks to Kafka: the broker helpers, a Kafka client, a stage runner, or the CLI. */
const KAFKA_MODULES = [/\/support\.ts$/, /reliability\/harness\.ts$/, /^kafkajs$/, /platform\/kafka\//, /runtime\/runner\.ts$/, /stack\/kafka-local\.ts$/];
const CLI = /'bin\/flywheel\.mjs'|'bin', 'flywheel\.mjs'/;

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split(/(\*\*\/|\*)/)
    .map((part) => (part === '**/' ? '(?:.*/)?' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

function testFiles(dir: string): string[] {
  return fs.readdirSync(path.join(projectRoot, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts') && !e.parentPath.includes('node_modules'))
    .map((e) => path.relative(projectRoot, path.join(e.parentPath, e.name)));
}

const inLane = (file: string, globs: string[]) => globs.some((g) => globToRegExp(g).test(file));
const files = ['services', 'scripts', 'test'].flatMap(testFiles).filter((f) => inLane(f, allTests));
function usesKafka(file: string): boolean {
  const text = fs.readFileSync(path.join(projectRoot, file), 'utf8');
  const modules = [...text.matchAll(/^import [^;]*? from '([^']+)';/gms)].map((m) => m[1]);
  return modules.some((m) => KAFKA_MODULES.some((re) => re.test(m))) || CLI.test(text);
}

describe('test lanes (test/lanes.ts)', () => {
  it('no file in the unit lane imports anything that talks to Kafka', () => {
    const unit = files.filter((f) => inLane(f, unitTests));
    expect(unit.length).toBeGreaterThan(30);
    expect(unit.filter(usesKafka)).toEqual([]);
  });

  it('every file left in the broker lane uses Kafka (one that does not belongs in the unit lane)', () => {
    const broker = files.filter((f) => !inLane(f, unitTests));
    expect(broker.length).toBeGreaterThan(20);
    expect(broker.filter((f) => !usesKafka(f))).toEqual([]);
  });
});
