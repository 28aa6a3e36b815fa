import { startStage, type RunningStage } from '../platform/runtime/runner.ts';
import type { PipelineOptions, PipelineStep, StageRun } from './pipeline.ts';

const stepName = (s: PipelineStep) => (s.kind === 'stage' ? s.stage.name : s.command.name);
const inputsOf = (s: PipelineStep): readonly string[] => (s.kind === 'stage' ? s.stage.inputs : s.command.inputs);
const outputsOf = (s: PipelineStep): readonly string[] => (s.kind === 'stage' ? s.stage.outputs : s.command.outputs);

/**
 * Topics a step needs complete before it starts. A command works on a snapshot, so all of its inputs; a stage
 * streams its inputs and only waits for the side inputs it reads whole (`waitFor`, e.g. the rollout's corpus).
 */
const gateOf = (s: PipelineStep): readonly string[] => (s.kind === 'command' ? s.command.inputs : (s.waitFor ?? []));

/**
 * The steps whose work must be finished before `topics` are complete: their producers, and everything upstream
 * of those (a producer is done only when its own inputs are).
 */
export function upstreamOf(steps: PipelineStep[], topics: readonly string[]): PipelineStep[] {
  const found = new Set<PipelineStep>();
  const visit = (wanted: readonly string[]) => {
    for (const producer of steps) {
      if (found.has(producer) || !outputsOf(producer).some((t) => wanted.includes(t))) continue;
      found.add(producer);
      visit(inputsOf(producer));
    }
  };
  visit(topics);
  return [...found];
}

/** Every step that must be done before `step` starts: upstream of its gate, and its `after` steps with their upstream. */
function gateStepsOf(steps: PipelineStep[], step: PipelineStep): PipelineStep[] {
  const named = step.kind === 'stage' ? steps.filter((s) => step.after?.includes(stepName(s))) : [];
  return [...new Set([...upstreamOf(steps, gateOf(step)), ...named, ...named.flatMap((s) => upstreamOf(steps, inputsOf(s)))])];
}

/**
 * Runs one round's steps at once (the pipelined round). Every stage without a gate starts right away as a
 * consumer of its topics, so records flow through the whole graph as soon as they are written. A gated step
 * (a snapshot command such as cluster sampling, or a stage with a side input it reads whole) starts once
 * every step upstream of its gate has drained, by the same drain check the level-by-level run and the round
 * close use. The round ends when every stage has drained. Outputs equal `runPipeline`'s: each stage sees the
 * same records, and the only points where timing could change a result are exactly the gates.
 */
export async function runPipelined(steps: PipelineStep[], options: PipelineOptions): Promise<StageRun[]> {
  const t0 = Date.now();
  const runs = new Map<PipelineStep, StageRun>();
  const ready = new Map<PipelineStep, Promise<void>>();
  const running = (list: PipelineStep[]) => list.flatMap((s) => (runs.get(s)?.running ? [runs.get(s)!.running!] : []));

  const start = (step: PipelineStep, chain: PipelineStep[] = []): Promise<void> => {
    if (chain.includes(step)) throw new Error(`pipeline steps wait on each other: ${[...chain, step].map(stepName).join(' → ')}`);
    let promise = ready.get(step);
    if (promise) return promise;
    promise = (async () => {
      const upstream = gateStepsOf(steps, step);
      if (upstream.length) {
        await Promise.all(upstream.map((u) => start(u, [...chain, step])));
        await drain(running(upstream), options);
      }
      const at = (Date.now() - t0) / 1000;
      options.onLevel?.(Math.round(at), [stepName(step)]);
      if (step.kind === 'command') {
        const result = await step.command.run();
        runs.set(step, { name: step.command.name, level: 0, seconds: (Date.now() - t0) / 1000 - at, result, startedAt: at });
        return;
      }
      const stage = await startStage(step.stage, { env: { ...options.env, ...options.envFor?.(step.stage.name) }, http: false, progressEveryMs: 0 });
      runs.set(step, { name: step.stage.name, level: 0, running: stage, seconds: 0, startedAt: at });
    })();
    ready.set(step, promise);
    return promise;
  };

  let drained = false;
  try {
    // collect every start before failing, so the finally block sees each stage that did start
    const outcomes = await Promise.allSettled(steps.map((s) => start(s)));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    await drain(running(steps), options);
    drained = true;
    const end = (Date.now() - t0) / 1000;
    for (const run of runs.values()) if (run.running) run.seconds = end - (run.startedAt ?? 0);
  } finally {
    const stopping = Promise.all(running(steps).map((s) => s.stop()));
    if (!(drained && options.stopInBackground)) await stopping;
  }
  return steps.flatMap((s) => (runs.has(s) ? [runs.get(s)!] : []));
}

/**
 * The drain check of the level-by-level run and the round close: positions quiet, then the gaps left read to
 * the end to see that they hold no record (the platform reader counts positions through marker-only batches, so
 * this is exact). The in-process shortcut (every stage idle) is not enough here: a stage between two fetches is
 * idle with records still to read, and a gate opened then lets a later stage write what an earlier one tails.
 */
async function drain(stages: RunningStage[], options: PipelineOptions): Promise<void> {
  if (stages.length === 0) return;
  await options.kafka.waitForDrain(
    stages.map((s) => ({ groupId: s.groupId, topics: s.inputs.map((t) => options.names.physical(t)) })),
    { timeoutMs: options.drainTimeoutMs ?? 900_000, quietMs: options.quietMs ?? 2000, pollMs: 250, onPoll: options.onLag },
  );
}
