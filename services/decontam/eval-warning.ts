import { readManifests } from '../rounds/manifest.ts';
import { evalSetFromFile, readSets, type DecontamContext } from './sets.ts';
import { contaminationBySet, readVerdicts } from './verdicts.ts';

/**
 * `flywheel eval <file>`: when the file is a registered evaluation set (same questions, whatever its name) and the
 * closed rounds — the ones a model was trained on — hold hits from it, the score is suspect: say so.
 */
export async function evalContaminationWarning(ctx: DecontamContext, file: string): Promise<string | undefined> {
  const hash = evalSetFromFile('eval', file).content_hash;
  const set = (await readSets(ctx)).find((s) => s.content_hash === hash);
  if (!set) return undefined;
  const closed = (await readManifests(ctx)).filter((m) => m.status === 'closed');
  const verdicts = (await readVerdicts(ctx)).filter((v) => v.set_name === set.name);
  const perRound = closed
    .map((m) => ({ round: m.round, row: contaminationBySet(verdicts, m.round)[0] }))
    .filter((r) => r.row && r.row.hard + r.row.review + r.row.released > 0);
  if (perRound.length === 0) return undefined;
  const parts = perRound.map(({ round, row }) => `round ${round}: ${row.hard} hard, ${row.review} review, ${row.released} released`);
  return `warning: ${file} is the registered evaluation set "${set.name}", and rounds trained on hold hits from it (${parts.join('; ')}). Hard hits were dropped and held-back ones are not exported, but a model trained on earlier exports may have seen them; read this score with care.`;
}
