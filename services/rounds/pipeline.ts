import type { TopicNames } from '../platform/catalogue.ts';
import type { KafkaCluster } from '../platform/kafka/cluster.ts';
import { startStage, type RunningStage } from '../platform/runtime/runner.ts';
import type { AnyStage } from '../platform/runtime/stage.ts';

/**
 * Runs one round's stages in-process, in dependency order: a stage starts once every stage (or command
 * step, like cluster sampling) producing its inputs has drained. Order comes from the topics the steps
 * declare, so a newly registered stage slots in without changes here.
 */
export interface CommandStep {
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  run(): Promise<unknown>;
}

/**
 * For the pipelined run: `waitFor`, topics a stage reads whole besides its inputs (a side input), complete before
 * it starts; `after`, steps that must be done (drained, or run) first, e.g. because they tail what this one writes.
 */
export type PipelineStep = { kind: 'stage'; stage: AnyStage; waitFor?: readonly string[]; after?: readonly string[] } | { kind: 'command'; command: CommandStep };

export interface StageRun {
  name: string;
  level: number;
  running?: RunningStage;
  seconds: number;
  /** Seconds after the pipelined run began that the step started. */
  startedAt?: number;
  result?: unknown;
}

export interface PipelineOptions {
  env: NodeJS.ProcessEnv;
  /** Per-stage additions to `env` (e.g. a smaller transaction batch for a stage with large outputs). */
  envFor?(stage: string): NodeJS.ProcessEnv;
  kafka: KafkaCluster;
  names: TopicNames;
  onLevel?(level: number, steps: string[]): void;
  onLag?(lag: number): void;
  drainTimeoutMs?: number;
  /** How long positions must stay put before a drain check reads the remaining gaps (default 2000). */
  quietMs?: number;
  /**
   * Pipelined run only: once drained, start stopping the stages but return without waiting (leaving a consumer
   * group can take a fetch's long-poll); the caller awaits `running.stop()` of every run before reusing the groups.
   */
  stopInBackground?: boolean;
}

const stepName = (s: PipelineStep) => (s.kind === 'stage' ? s.stage.name : s.command.name);
const stepIo = (s: PipelineStep) => (s.kind === 'stage' ? { inputs: [...s.stage.inputs, ...(s.waitFor ?? [])] as readonly string[], outputs: s.stage.outputs } : s.command);

/** Level of each step: 0 for steps fed only by outside sources, else one more than its latest producer. */
export function levels(steps: PipelineStep[]): Map<string, number> {
  const level = new Map(steps.map((s) => [stepName(s), 0]));
  for (let pass = 0; pass < steps.length; pass++) {
    let changed = false;
    for (const step of steps) {
      const { inputs } = stepIo(step);
      for (const producer of steps) {
        if (producer === step || !stepIo(producer).outputs.some((t) => inputs.includes(t))) continue;
        const wanted = level.get(stepName(producer))! + 1;
        if (wanted > level.get(stepName(step))!) {
          level.set(stepName(step), wanted);
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return level;
}

/** Starts and drains the steps level by level; stops every stage at the end (also on failure). */
export async function runPipeline(steps: PipelineStep[], options: PipelineOptions): Promise<StageRun[]> {
  const level = levels(steps);
  const runs: StageRun[] = [];
  const started: Array<{ running: RunningStage; inputs: readonly string[] }> = [];
  try {
    for (const l of [...new Set(level.values())].sort((a, b) => a - b)) {
      const here = steps.filter((s) => level.get(stepName(s)) === l);
      options.onLevel?.(l, here.map(stepName));
      const t0 = Date.now();
      for (const step of here) {
        if (step.kind === 'command') {
          const result = await step.command.run();
          runs.push({ name: step.command.name, level: l, seconds: (Date.now() - t0) / 1000, result });
          continue;
        }
        const running = await startStage(step.stage, { env: { ...options.env, ...options.envFor?.(step.stage.name) }, http: false, progressEveryMs: 0 });
        started.push({ running, inputs: step.stage.inputs });
        runs.push({ name: step.stage.name, level: l, running, seconds: 0 });
      }
      if (started.length) await drain(started, options);
      for (const run of runs) if (run.running && run.level === l) run.seconds = (Date.now() - t0) / 1000;
    }
  } finally {
    await Promise.all(started.map((s) => s.running.stop()));
  }
  return runs;
}

async function drain(started: Array<{ running: RunningStage; inputs: readonly string[] }>, options: PipelineOptions): Promise<void> {
  await options.kafka.waitForDrain(
    started.map((s) => ({ groupId: s.running.groupId, topics: s.inputs.map((t) => options.names.physical(t)) })),
    { timeoutMs: options.drainTimeoutMs ?? 900_000, quietMs: options.quietMs ?? 2000, pollMs: 500, onPoll: options.onLag },
  );
}
