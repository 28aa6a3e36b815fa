import { html } from 'hono/html';
import { formatLocations, type LineageNode } from '../queries/lineage.ts';
import type { Sibling, Step } from '../queries/records.ts';
import { alignRollouts, pickPair } from './align.ts';
import { num, type Html } from './layout.ts';

export interface TrajectoryData {
  row: Record<string, unknown>;
  steps: Step[];
  topics: string[];
  groupId: string | null;
  siblings: Sibling[];
  sources: LineageNode[];
  hasSamples: Array<Record<string, unknown>>;
}

const verdict = (ok: unknown) => html`<span class="verdict ${ok ? 'ok' : 'bad'}">${ok ? 'accepted' : 'rejected'}</span>`;

function stepItem(step: Step): Html {
  return html`<li class="step">
<h3>Step ${step.index}</h3>
${step.thought ? html`<p class="thought"><span class="tag">thought</span> ${step.thought}</p>` : ''}
${step.report ? html`<p class="report"><span class="tag">report</span> ${step.report}</p>` : ''}
${step.tool_call_name ? html`<div class="call"><span class="tag">tool call</span> <code>${step.tool_call_name}</code><pre aria-label="arguments">${pretty(step.tool_call_arguments_json ?? '')}</pre></div>
<details class="response"><summary>Tool response (${step.tool_response.length} characters)</summary><pre>${step.tool_response}</pre></details>` : ''}
${step.answer != null ? html`<p class="answer"><span class="tag">answer</span> ${step.answer}</p>` : ''}
</li>`;
}

function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

/** The question, each step (thought → tool call → response, collapsed → answer), the verdict, the group, the alignment. */
export function trajectoryBody(d: TrajectoryData): Html {
  const r = d.row;
  const id = String(r.id);
  const pair = pickPair(id, d.siblings);
  const aligned = pair && alignRollouts(pair[0], pair[1]);
  return html`<dl class="facts">
<dt>Id</dt><dd><code>${id}</code></dd>
<dt>Round</dt><dd><a href="/rounds/${String(r.round)}">${String(r.round)}</a></dd>
<dt>Topics</dt><dd>${d.topics.map((t) => html`<a href="/trajectories/${encodeURIComponent(id)}?topic=${encodeURIComponent(t)}"${t === r.kafka_topic ? html` aria-current="page"` : ''}>${t}</a> `)} (this copy: ${String(r.kafka_topic)}/${String(r.kafka_partition)}@${String(r.kafka_offset)})</dd>
<dt>Style</dt><dd>${String(r.question_style)}</dd>
<dt>Policy</dt><dd>${String(r.policy_model)} ${String(r.policy_model_version)} (${String(r.mode)}, rollout ${String(r.rollout_index)})</dd>
<dt>Lineage</dt><dd><a href="/lineage/${encodeURIComponent(id)}">parents and children of this trajectory</a></dd>
</dl>
<section aria-labelledby="q-h"><h2 id="q-h">Question</h2>
<p class="question">${String(r.question)}</p>
<p>Reference answer: <strong>${String(r.reference_answer)}</strong> · <a href="/records/${encodeURIComponent(String(r.question_id))}">question record</a></p></section>
<section aria-labelledby="steps-h"><h2 id="steps-h">Steps (${d.steps.length})</h2>
<ol class="steps">${d.steps.map(stepItem)}</ol></section>
<section aria-labelledby="judge-h"><h2 id="judge-h">Verdict</h2>
<p>${verdict(r.judge_correct)} prediction <strong>${String(r.prediction)}</strong>; reward ${num(r.reward)}, EM ${num(r.judge_em)}, F1 ${num(r.judge_f1)} (${String(r.judge_kind)} judge), termination ${String(r.termination)}</p>
${r.judge_rationale ? html`<p class="rationale">${String(r.judge_rationale)}</p>` : ''}</section>
<section aria-labelledby="src-h"><h2 id="src-h">Source documents</h2>
${d.sources.length ? html`<ul>${[...d.sources].sort((a, b) => b.depth - a.depth).map((s) => html`<li><a class="source" href="/records/${encodeURIComponent(s.id)}">${s.label || s.id}</a> <small>${s.table}, ${formatLocations(s.locations)}</small></li>`)}</ul>` : html`<p>None found in the store (a question from a dataset has no document parents).</p>`}</section>
<section aria-labelledby="group-h"><h2 id="group-h">The other rollouts of this question${d.groupId ? html` (RL group <a href="/records/${encodeURIComponent(d.groupId)}">${d.groupId}</a>)` : ''}</h2>
<table class="records"><caption>Rollouts of the group with rewards and leave-one-out advantages</caption>
<thead><tr><th scope="col">Rollout</th><th scope="col">Id</th><th scope="col">Verdict</th><th scope="col">Reward</th><th scope="col">Advantage</th><th scope="col">In loss</th><th scope="col">Tool calls</th><th scope="col">Termination</th><th scope="col">Prediction</th></tr></thead>
<tbody>${d.siblings.map((s) => html`<tr${s.id === id ? html` class="current"` : ''}><td class="num">${s.rollout_index}</td><td>${s.id === id ? html`<strong aria-current="true">${s.id}</strong>` : html`<a href="/trajectories/${encodeURIComponent(s.id)}">${s.id}</a>`}</td><td>${verdict(s.correct)}</td><td class="num">${num(s.reward)}</td><td class="num">${s.advantage == null ? '–' : num(s.advantage)}</td><td>${s.in_loss == null ? '–' : s.in_loss ? 'yes' : 'masked'}</td><td class="num">${s.tool_calls}</td><td>${s.termination}</td><td>${s.prediction}</td></tr>`)}</tbody></table></section>
<section aria-labelledby="align-h"><h2 id="align-h">Accepted and rejected rollout, aligned on tool calls</h2>
${pair && aligned ? html`<p>Accepted <a href="/trajectories/${encodeURIComponent(pair[0].id)}">${pair[0].id}</a> against rejected <a href="/trajectories/${encodeURIComponent(pair[1].id)}">${pair[1].id}</a>: ${aligned.parts === null ? 'the same tool calls at every step.' : html`they part at <strong>step ${aligned.parts}</strong>${aligned.toolsPart === aligned.parts ? '' : html` (same tool, other arguments; ${aligned.toolsPart === null ? 'the same tools at every step' : html`first other tool at step ${aligned.toolsPart}`})`}.`}</p>
<table class="records align"><caption>Tool-call sequences step by step</caption>
<thead><tr><th scope="col">Step</th><th scope="col">Accepted</th><th scope="col">Rejected</th></tr></thead>
<tbody>${aligned.rows.map((row) => html`<tr class="${row.same ? 'same' : row.index === aligned.parts ? 'parts' : 'differs'}"><th scope="row">${row.index}${row.index === aligned.parts ? html` <span class="tag">parts here</span>` : ''}${!row.same && row.sameTool ? html` <span class="tag">other arguments</span>` : ''}</th><td><code>${row.left ?? '—'}</code></td><td><code>${row.right ?? '—'}</code></td></tr>`)}</tbody></table>` : html`<p>No accepted and rejected pair in this group.</p>`}</section>
${d.hasSamples.length ? html`<section aria-labelledby="has-h"><h2 id="has-h">HAS decisions from this trajectory</h2><ul>${d.hasSamples.map((h) => html`<li><a href="/has/${encodeURIComponent(String(h.id))}">step ${String(h.step_index)}</a></li>`)}</ul></section>` : ''}`;
}
