import fs from 'node:fs';

/**
 * Top functions of a .cpuprofile by self time, and by inclusive time for the runtime's own files:
 * `npx tsx bench/_profile-top.ts file.cpuprofile [rows]`.
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const [file, rowsArg] = process.argv.slice(2);
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const rows = Number(rowsArg ?? 30);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n: Node) => {
  const url = n.callFrame.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '~/').replace(/.*wt-[^/]+\//, '');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
};
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const pkgSelf = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const leaf = byId.get(id)!;
  self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt);
  const url = leaf.callFrame.url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.includes('/services/') ? 'services' : url ? (url.startsWith('node:') ? 'node:' : 'other') : leaf.callFrame.functionName);
  pkgSelf.set(pkg, (pkgSelf.get(pkg) ?? 0) + dt);
  const seen = new Set<string>();
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const l = label(byId.get(n)!);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
  }
});
const pct = (v: number) => `${((100 * v) / total).toFixed(1).padStart(5)}%`;
const top = (m: Map<string, number>, n: number, filter: (k: string) => boolean = () => true) =>
  [...m].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${pct(v)}  ${k}`).join('\n');
console.log(`total ${(total / 1000).toFixed(0)} ms sampled\n\n-- self time by package --\n${top(pkgSelf, 15)}`);
console.log(`\n-- self time --\n${top(self, rows)}`);
console.log(`\n-- inclusive, services/ and bench/ --\n${top(inclusive, rows, (k) => / (services|bench)\//.test(k))}`);
