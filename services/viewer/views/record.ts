import { html } from 'hono/html';
import { num, type Html } from './layout.ts';

const LONG = 160;

function value(v: unknown): Html {
  if (v == null) return html`<span class="muted">null</span>`;
  if (typeof v === 'string') return v.length > LONG || v.includes('\n') ? html`<pre>${v}</pre>` : html`${v}`;
  if (typeof v === 'number') return html`${num(v, 6)}`;
  if (typeof v === 'boolean') return html`${v ? 'true' : 'false'}`;
  return html`<pre>${JSON.stringify(v, null, 2)}</pre>`;
}

/** Every column of a record, its Kafka position, links to its parents and lineage. */
export function recordBody(table: string, row: Record<string, unknown>): Html {
  const id = String(row.id);
  const parents = (row.parent_ids as string[] | undefined) ?? [];
  const skip = new Set(['id', 'parent_ids', 'kafka_topic', 'kafka_partition', 'kafka_offset']);
  return html`<dl class="facts">
<dt>Id</dt><dd><code>${id}</code></dd>
<dt>Table</dt><dd>${table}</dd>
<dt>Kafka position</dt><dd><span class="position">${String(row.kafka_topic)} / partition ${String(row.kafka_partition)} / offset ${String(row.kafka_offset)}</span></dd>
${table !== 'dead_letters' ? html`<dt>Parents</dt><dd>${parents.length ? parents.map((p) => html`<a href="/records/${encodeURIComponent(p)}">${p}</a> `) : 'none (a source)'}</dd>
<dt>Lineage</dt><dd><a href="/lineage/${encodeURIComponent(id)}">parents and children as a graph</a></dd>` : ''}
</dl>
<table class="fields"><caption>Fields</caption><tbody>
${Object.entries(row).filter(([k]) => !skip.has(k)).map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${value(v)}</td></tr>`)}
</tbody></table>`;
}

/** An option as the agent would act on it: its thought, then the call; other text as it is. */
function option(text: string): Html {
  try {
    const o = JSON.parse(text) as { thought?: unknown; name?: unknown; arguments?: unknown; answer?: unknown };
    if (o && typeof o === 'object' && (typeof o.name === 'string' || typeof o.answer === 'string')) {
      const call = typeof o.name === 'string' ? `${o.name}(${JSON.stringify(o.arguments ?? {})})` : `answer: ${String(o.answer)}`;
      return html`<div class="option">${typeof o.thought === 'string' ? html`<p class="thought">${o.thought}</p>` : ''}<pre>${call}</pre></div>`;
    }
  } catch {
    // not JSON: shown as written
  }
  return html`<pre>${text}</pre>`;
}

/** A HAS decision: the context, the options with the chosen one marked, the judgement. */
export function hasBody(row: Record<string, unknown>): Html {
  const options = (row.options as string[]) ?? [];
  const chosen = Number(row.chosen);
  return html`<dl class="facts">
<dt>Id</dt><dd><code>${String(row.id)}</code></dd>
<dt>Trajectory</dt><dd><a href="/trajectories/${encodeURIComponent(String(row.trajectory_id))}">${String(row.trajectory_id)}</a>, step ${String(row.step_index)}</dd>
<dt>Judgement</dt><dd><span class="verdict ${row.judgement_correct ? 'ok' : 'bad'}">${row.judgement_correct ? 'trajectory judged correct' : 'trajectory judged wrong'}</span></dd>
<dt>Kafka position</dt><dd>${String(row.kafka_topic)}/${String(row.kafka_partition)}@${String(row.kafka_offset)} · <a href="/lineage/${encodeURIComponent(String(row.id))}">lineage</a></dd>
</dl>
<section aria-labelledby="opt-h"><h2 id="opt-h">Options (${options.length})</h2>
<ol class="options" start="0">${options.map((o, i) => html`<li class="${i === chosen ? 'chosen' : ''}"${i === chosen ? html` aria-label="option ${i}, chosen"` : ''}>${i === chosen ? html`<span class="tag chosen-tag">chosen</span> ` : ''}${option(o)}</li>`)}</ol></section>
<section aria-labelledby="text-h"><h2 id="text-h">Sample text</h2><details><summary>Rendered sample (${String(row.text).length} characters)</summary><pre>${String(row.text)}</pre></details></section>`;
}

/** A dead letter with its error headers, and the re-drive form (refused in read-only mode). */
export function deadLetterBody(row: Record<string, unknown>, readOnly: boolean): Html {
  const headers = Object.entries((row.original_headers as Record<string, string>) ?? {});
  return html`<dl class="facts">
<dt>Stage</dt><dd>${String(row.stage)}</dd>
<dt>Error code</dt><dd><code>${String(row.error_code)}</code></dd>
<dt>Error</dt><dd><pre>${String(row.error_message)}</pre></dd>
<dt>Attempts</dt><dd>${String(row.attempts)}</dd>
<dt>Original position</dt><dd>${String(row.original_topic)}/${String(row.original_partition)}@${String(row.original_offset)}</dd>
<dt>Failed at</dt><dd>${String(row.failed_at)}</dd>
</dl>
<table class="fields"><caption>Error headers</caption><tbody>
${headers.length ? headers.map(([k, v]) => html`<tr><th scope="row">${k}</th><td><code>${v}</code></td></tr>`) : html`<tr><td>none</td></tr>`}
</tbody></table>
<details><summary>Original value (${String(row.original_value ?? '').length} characters)</summary><pre>${String(row.original_value ?? '')}</pre></details>
${redriveForm(readOnly, { stage: String(row.stage), code: String(row.error_code) })}`;
}

export function redriveForm(readOnly: boolean, filter: { stage?: string; code?: string }): Html {
  return html`<form method="post" action="/dlq/redrive" class="redrive">
<input type="hidden" name="stage" value="${filter.stage ?? ''}"><input type="hidden" name="code" value="${filter.code ?? ''}">
<button${readOnly ? html` disabled aria-describedby="ro-note"` : ''}>Re-drive dead letters of ${filter.stage || 'every stage'}${filter.code ? ` with ${filter.code}` : ''}</button>
${readOnly ? html`<span id="ro-note" class="muted">Read-only mode: re-drive is refused (start with <code>flywheel ui --allow-redrive</code>).</span>` : ''}
</form>`;
}
