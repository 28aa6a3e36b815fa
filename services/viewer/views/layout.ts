import { html, raw } from 'hono/html';

export type Html = ReturnType<typeof html>;

const NAV: Array<[string, string]> = [
  ['/rounds', 'Rounds'],
  ['/tables/questions', 'Questions'],
  ['/tables/trajectories', 'Trajectories'],
  ['/tables/sft', 'SFT'],
  ['/tables/rl_groups', 'RL groups'],
  ['/tables/has_samples', 'HAS'],
  ['/tables/cpt_samples', 'CPT'],
  ['/tables/drops', 'Drops'],
  ['/tables/dlq', 'DLQ'],
];

/** The page shell: skip link, navigation (current page marked), one main landmark, scripts. */
export function page(opts: { title: string; path: string; body: Html; scripts?: string[]; via?: string }): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title} · flywheel</title>
<link rel="stylesheet" href="/static/viewer.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <nav aria-label="Views"><a class="brand" href="/rounds">flywheel</a>
  <ul>${NAV.map(([href, label]) => html`<li><a href="${href}"${opts.path === href || opts.path.startsWith(`${href}/`) ? html` aria-current="page"` : ''}>${label}</a></li>`)}</ul>
  <form class="goto" action="/lineage" method="get" role="search"><label for="goto-id">Lineage of id</label> <input id="goto-id" name="id" size="18" required> <button>Go</button></form>
  </nav>
</header>
<main id="main" tabindex="-1">
<h1>${opts.title}</h1>
${opts.body}
</main>
<footer><small>read-only view of the analytics store${opts.via ? html` · ${opts.via}` : ''} · keys: <kbd>/</kbd> search, <kbd>n</kbd>/<kbd>p</kbd> next/previous page</small></footer>
${(opts.scripts ?? []).map((s) => html`<script src="${s}"></script>`)}
<script src="/static/viewer.js"></script>
</body>
</html>`;
}

export function errorBody(status: number, message: string): Html {
  return html`<p role="alert" class="error"><strong>${status === 404 ? 'Not found' : status === 400 ? 'Bad request' : status === 403 ? 'Refused' : 'Error'}:</strong> ${message}</p>
<p><a href="/rounds">Back to the rounds</a></p>`;
}

/** JSON for a `<script type="application/json">` block: `<` is escaped so record text cannot close the tag. */
export function jsonData(id: string, value: unknown): Html {
  const text = JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  // already safe inside a script element (no "<" left); html-escaping it would break the JSON
  return html`<script type="application/json" id="${id}">${raw(text)}</script>`;
}

export function num(value: unknown, digits = 3): string {
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value ?? '');
  return Number.isInteger(n) ? String(n) : n.toFixed(digits);
}

export function qs(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') search.set(k, String(v));
  const text = search.toString();
  return text ? `?${text}` : '';
}
