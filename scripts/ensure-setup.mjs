#!/usr/bin/env node
// Runs scripts/setup.sh when something it installs is missing or out of date, so `npm run demo` and `npm test`
// work on a fresh clone; otherwise returns at once. Plain Node with no dependencies: node_modules may be absent.
//   node scripts/ensure-setup.mjs           install what is missing (idempotent)
//   node scripts/ensure-setup.mjs --stamp   record the current inputs as installed (setup.sh calls it at its end)
// FLYWHEEL_SKIP_SETUP=1 skips the check (a checkout whose node_modules is managed by hand).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = path.join(process.env.FLYWHEEL_HOME ?? path.join(root, '.flywheel'), 'setup.stamp');

/** What setup installs from: a change to any of these calls for another run. */
function inputsHash() {
  const hash = createHash('sha256');
  const patches = path.join(root, 'patches');
  const files = ['package.json', 'package-lock.json', 'scripts/setup.sh', 'deploy/local/pom.xml'].map((f) => path.join(root, f));
  if (fs.existsSync(patches)) files.push(...fs.readdirSync(patches).sort().map((f) => path.join(patches, f)));
  for (const file of files) if (fs.existsSync(file)) hash.update(file.slice(root.length)).update(fs.readFileSync(file));
  return hash.digest('hex');
}

/** Installed pieces whose absence no stamp can vouch for (a deleted folder). */
function missing() {
  const lib = path.join(root, 'deploy/local/lib');
  const out = [];
  if (!fs.existsSync(path.join(root, 'node_modules/.package-lock.json'))) out.push('node packages');
  if (!fs.existsSync(lib) || !fs.readdirSync(lib).some((f) => f.endsWith('.jar'))) out.push('Kafka jars');
  return out;
}

if (process.argv.includes('--stamp')) {
  fs.mkdirSync(path.dirname(stampFile), { recursive: true });
  fs.writeFileSync(stampFile, `${inputsHash()}\n`);
} else if (!process.env.FLYWHEEL_SKIP_SETUP) {
  const stamp = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8').trim() : '';
  const reasons = [...missing(), ...(stamp === inputsHash() ? [] : [stamp ? 'package or setup files changed' : 'never set up here'])];
  if (reasons.length) {
    console.error(`flywheel: running scripts/setup.sh (${reasons.join(', ')})`);
    const result = spawnSync('bash', [path.join(root, 'scripts/setup.sh')], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}
