import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../services/platform/paths.ts';
import { brokerLane, clusterLane, unitLane, type Lane } from './lanes.ts';

/** What a test file imports when it talks to Kafka: the broker helpers, a Kafka client (kafkajs, createKafka, KafkaCluster), the stage runner, or the CLI. */
const KAFKA_MODULES = [/^test\/support\.ts$/, /^test\/reliability\/harness\.ts$/, /^kafkajs$/, /^@platformatic\/kafka/, /^services\/platform\/kafka\/(client|cluster)\.ts$/, /^services\/platform\/runtime\/runner\.ts$/, /^services\/platform\/stack\/kafka-local\.ts$/];
const CLI = /'bin\/flywheel\.mjs'|'bin', 'flywheel\.mjs'/;

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split(/(\*\*\/|\*)/)
    .map((part) => (part === '**/' ? '(?:.*/)?' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

const matches = (file: string, globs: string[]) => globs.some((g) => globToRegExp(g).test(file));
const inLane = (file: string, lane: Lane) => matches(file, lane.include) && !matches(file, lane.exclude);

function testFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(projectRoot, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts') && !e.parentPath.includes('node_modules'))
    .map((e) => path.relative(projectRoot, path.join(e.parentPath, e.name)));
}

/** Its imports, relative ones resolved to paths from the project root. */
function imports(file: string): string[] {
  const text = fs.readFileSync(path.join(projectRoot, file), 'utf8');
  return [...text.matchAll(/^import [^;]*? from '([^']+)';/gms)].map((m) => (m[1].startsWith('.') ? path.join(path.dirname(file), m[1]) : m[1]));
}

function usesKafka(file: string): boolean {
  return imports(file).some((m) => KAFKA_MODULES.some((re) => re.test(m))) || CLI.test(fs.readFileSync(path.join(projectRoot, file), 'utf8'));
}

const files = ['services', 'scripts', 'test'].flatMap(testFiles);

describe('test lanes (test/lanes.ts)', () => {
  it('every test file is in exactly one lane', () => {
    expect(files.filter((f) => [unitLane, brokerLane, clusterLane].filter((lane) => inLane(f, lane)).length !== 1)).toEqual([]);
  });

  it('no file in the unit lane imports anything that talks to Kafka', () => {
    const unit = files.filter((f) => inLane(f, unitLane));
    expect(unit.length).toBeGreaterThan(30);
    expect(unit.filter(usesKafka)).toEqual([]);
  });

  it('every file in the broker lane uses Kafka (one that does not belongs in the unit lane)', () => {
    const broker = files.filter((f) => inLane(f, brokerLane));
    expect(broker.length).toBeGreaterThan(20);
    expect(broker.filter((f) => !usesKafka(f))).toEqual([]);
  });
});
