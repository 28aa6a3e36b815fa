import type { Command } from 'commander';
import { recheckOpenRound } from '../../decontam/recheck.ts';
import { checkSetName, DecontamError, evalSetFromFile, readSets, writeSet } from '../../decontam/sets.ts';
import { contaminationBySet, readVerdicts, releaseVerdict } from '../../decontam/verdicts.ts';
import { formatTable } from '../../rounds/summary.ts';
import { cliContext } from '../context.ts';

export function registerDecontamCommands(program: Command): void {
  const decontam = program
    .command('decontam')
    .description('evaluation sets the decontam stage checks every question, SFT trajectory and CPT sample against (fw.decontam.sets)');
  decontam
    .command('add')
    .argument('<name>', 'set name (drop reasons read contaminated:<name>)')
    .argument('<qa.jsonl>', 'questions with answers: HotpotQA format or JSONL with question/answer')
    .description('register (or replace) an evaluation set, then check what the open round already holds against it')
    .action(async (name: string, file: string) => {
      const ctx = cliContext();
      await ctx.kafka.ensureTopics(ctx.catalogue, ctx.names);
      const set = evalSetFromFile(checkSetName(name), file);
      await writeSet(ctx, name, set);
      console.log(`registered ${name}: ${set.items.length} questions from ${set.source} (version ${set.content_hash.slice(0, 12)})`);
      const recheck = await recheckOpenRound(ctx, set);
      if (recheck.round === null) console.log('no open round to re-check; the decontam stage checks new records from now on');
      else {
        const checked = Object.entries(recheck.checked).map(([t, n]) => `${t} ${n}`).join(', ');
        console.log(`re-checked open round ${recheck.round} (${checked}): ${recheck.hard} hard hit(s) dropped, ${recheck.review} for review`);
      }
    });
  decontam
    .command('list')
    .description('registered sets with their hits so far')
    .option('--json', 'print JSON lines')
    .action(async (options: { json?: boolean }) => {
      const ctx = cliContext();
      const [sets, verdicts] = await Promise.all([readSets(ctx), readVerdicts(ctx)]);
      const hits = new Map(contaminationBySet(verdicts).map((r) => [r.set, r]));
      const rows = sets.map((s) => ({ set: s.name, questions: s.items.length, source: s.source, version: s.content_hash.slice(0, 12), hard: hits.get(s.name)?.hard ?? 0, review: hits.get(s.name)?.review ?? 0, released: hits.get(s.name)?.released ?? 0 }));
      if (options.json) rows.forEach((r) => console.log(JSON.stringify(r)));
      else console.log(sets.length ? formatTable(rows) : 'no evaluation sets registered: `flywheel decontam add <name> <qa.jsonl>`');
    });
  decontam
    .command('remove')
    .argument('<name>')
    .description('unregister a set: the decontam stage stops checking it and exports stop leaving out its hits (verdicts stay on the topic)')
    .action(async (name: string) => {
      const ctx = cliContext();
      if (!(await readSets(ctx)).some((s) => s.name === name)) throw new DecontamError(`no evaluation set named ${name}`);
      await writeSet(ctx, name, null);
      console.log(`removed ${name}`);
    });
  decontam
    .command('release')
    .argument('<record-id>', 'id of a record with a review-tier hit')
    .option('--set <name>', 'only the hit of this set')
    .description('let a review-tier hit through to exports (hard hits cannot be released)')
    .action(async (id: string, options: { set?: string }) => {
      const ctx = cliContext();
      const released = await releaseVerdict(ctx, id, options.set);
      for (const v of released) console.log(`released ${id} (${v.set_name}, ${v.rule} on ${v.field}, eval item ${v.eval_item_id})`);
    });
}
