import client from 'prom-client';
import type { RolloutRun } from './agent/loop.ts';
import type { Corpus } from './corpus/corpus.ts';

/** The rollout service's domain metrics, beside the runtime's standard ones (same registry, same /metrics). */
export class RolloutMetrics {
  readonly trajectories: client.Counter<'mode' | 'termination' | 'correct'>;
  readonly toolCalls: client.Counter<'tool' | 'outcome'>;
  readonly toolSeconds: client.Histogram<'tool'>;
  readonly processChecks: client.Counter<'mode' | 'label'>;

  constructor(registry: client.Registry, corpus: Corpus) {
    const registers = [registry];
    this.trajectories = new client.Counter({ name: 'flywheel_rollout_trajectories_total', help: 'Judged rollouts by termination and verdict', labelNames: ['mode', 'termination', 'correct'], registers });
    this.toolCalls = new client.Counter({ name: 'flywheel_rollout_tool_calls_total', help: 'Tool calls by tool and outcome (ok or the error kind)', labelNames: ['tool', 'outcome'], registers });
    this.toolSeconds = new client.Histogram({ name: 'flywheel_rollout_tool_seconds', help: 'Tool call latency', labelNames: ['tool'], registers, buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10, 60] });
    this.processChecks = new client.Counter({ name: 'flywheel_rollout_process_checks_total', help: 'Process check of correct rollouts before SFT, by label (grounded or why not)', labelNames: ['mode', 'label'], registers });
    new client.Gauge({ name: 'flywheel_rollout_corpus_documents', help: 'Documents in the offline web (followed from fw.docs)', registers, collect() { this.set(corpus.size); } });
  }

  record(mode: string, run: RolloutRun, correct: boolean, processLabel?: string): void {
    this.trajectories.inc({ mode, termination: run.termination, correct: String(correct) });
    if (processLabel) this.processChecks.inc({ mode, label: processLabel });
    for (const call of run.calls) {
      this.toolCalls.inc({ tool: call.name, outcome: call.outcome.error || 'ok' });
      this.toolSeconds.observe({ tool: call.name }, call.outcome.latencyMs / 1000);
    }
  }
}
