import type { Command } from 'commander';
import { ConfigError } from '../../platform/errors.ts';
import type { TopicName } from '../../platform/generated/records.ts';
import { readRoundRecords } from '../../rounds/read-round.ts';
import { cliContext, type CliContext } from '../context.ts';

interface RecordsOptions {
  round?: string;
  limit: string;
  match?: string;
  fields?: string;
}

interface Positioned {
  partition: number;
  offset: string;
  value: Record<string, unknown>;
}

/**
 * `flywheel records <topic>`: decoded records as JSON lines, each with its Kafka position — what a user reads to
 * see what a stage really emitted (the topics hold Avro, which generic Kafka tools print as bytes).
 */
export function registerRecordsCommand(program: Command): void {
  program
    .command('records')
    .argument('<topic>', 'a catalogue topic, e.g. fw.fas.questions')
    .description('print decoded records of a topic (or of one round of it) as JSON lines with topic/partition@offset')
    .option('--round <n>', "only the records of this closed round (its manifest's offset ranges)")
    .option('--limit <n>', 'at most this many records (0: all)', '20')
    .option('--match <text>', 'only records whose JSON contains this text (case-insensitive)')
    .option('--fields <a,b,…>', 'print only these fields')
    .action(async (topic: string, options: RecordsOptions) => {
      const ctx = cliContext();
      if (!ctx.catalogue.all().some((spec) => spec.name === topic)) {
        throw new ConfigError(`records: unknown topic "${topic}"; the catalogue has ${ctx.catalogue.all().map((s) => s.name).join(', ')}`);
      }
      const limit = parseCount('--limit', options.limit);
      const round = options.round === undefined ? undefined : parseCount('--round', options.round);
      const records = round === undefined ? await readWholeTopic(ctx, topic, options.match ? 0 : limit) : await readRoundRecords(round, topic as TopicName, ctx);
      const fields = options.fields?.split(',').map((f) => f.trim()).filter(Boolean);
      const needle = options.match?.toLowerCase();
      let printed = 0;
      for (const record of records as Positioned[]) {
        if (limit && printed >= limit) break;
        const json = JSON.stringify(record.value, bigintAsString);
        if (needle && !json.toLowerCase().includes(needle)) continue;
        const value = fields ? Object.fromEntries(fields.map((f) => [f, record.value[f]])) : record.value;
        console.log(JSON.stringify({ position: `${topic}/${record.partition}@${record.offset}`, ...value }, bigintAsString));
        printed++;
      }
      if (printed === 0) console.error(`flywheel records: no record of ${ctx.names.physical(topic)}${round === undefined ? '' : ` in round ${round}`}${needle ? ` contains "${options.match}"` : ''}`);
    });
}

/** Every partition from its start; with a limit, at most that many offsets of each partition are fetched. */
async function readWholeTopic(ctx: CliContext, topic: string, limit: number): Promise<Positioned[]> {
  const physical = ctx.names.physical(topic);
  const offsets = (await ctx.kafka.offsetsOf([physical])).get(physical);
  if (!offsets) throw new ConfigError(`records: topic ${physical} does not exist (TOPIC_PREFIX="${ctx.names.prefix}")`);
  const until = new Map(offsets.map((o) => [o.partition, limit && o.high - o.low > BigInt(limit) ? o.low + BigInt(limit) : o.high]));
  const spec = ctx.catalogue.get(topic);
  const out: Positioned[] = [];
  for (const m of await ctx.kafka.readTopic(physical, { until })) {
    if (m.value) out.push({ partition: m.partition, offset: m.offset, value: await ctx.serde.decode<Record<string, unknown>>(m.value, spec.value, physical) });
  }
  return out;
}

function parseCount(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`records: ${flag} must be a whole number ≥ 0, got "${text}"`);
  return n;
}

const bigintAsString = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);
