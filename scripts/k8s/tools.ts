import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Finds the offline deploy checkers (deploy/k8s/tools/install.sh puts them under .flywheel/tools; a copy on
 * PATH works too). Each is undefined when missing, with the reason in `missing` for a clear skip message.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const toolsDir = path.join(root, '.flywheel', 'tools');
const INSTALL_HINT = 'run deploy/k8s/tools/install.sh';

export interface DeployTools {
  kustomize?: string;
  hadolint?: string;
  /** Environment in which python3 can import kubernetes_validate. */
  validatorEnv?: NodeJS.ProcessEnv;
  missing: string[];
}

function onPath(name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

function firstExisting(...candidates: Array<string | undefined>): string | undefined {
  return candidates.find((c) => c && fs.existsSync(c));
}

export function findDeployTools(): DeployTools {
  const missing: string[] = [];
  const kustomize = firstExisting(path.join(toolsDir, 'bin', 'kustomize'), onPath('kustomize'));
  if (!kustomize) missing.push(`kustomize (${INSTALL_HINT})`);
  const hadolint = firstExisting(path.join(toolsDir, 'python', 'bin', 'hadolint'), onPath('hadolint'));
  if (!hadolint) missing.push(`hadolint (${INSTALL_HINT})`);
  const pythonPath = [path.join(toolsDir, 'python'), process.env.PYTHONPATH].filter(Boolean).join(path.delimiter);
  const env = { ...process.env, PYTHONPATH: pythonPath };
  const probe = spawnSync('python3', ['-c', 'import kubernetes_validate, jsonschema, yaml'], { env, encoding: 'utf8' });
  const validatorEnv = probe.status === 0 ? env : undefined;
  if (!validatorEnv) missing.push(`python3 with kubernetes-validate (${INSTALL_HINT})`);
  return { kustomize, hadolint, validatorEnv, missing };
}

export interface ValidationResult {
  file: string;
  kind: string | null;
  name: string | null;
  error: string | null;
}

const validatorScript = path.join(root, 'deploy', 'k8s', 'tools', 'validate.py');

/** Validates YAML text (one or more documents) with deploy/k8s/tools/validate.py. */
export function validateManifests(env: NodeJS.ProcessEnv, yamlText: string): ValidationResult[] {
  const run = spawnSync('python3', [validatorScript, '-'], { env, input: yamlText, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0 && run.status !== 1) throw new Error(`validate.py failed (${run.status}): ${run.stderr}`);
  return run.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as ValidationResult);
}

export function kustomizeBuild(kustomize: string, dir: string): string {
  return execFileSync(kustomize, ['build', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** Parses YAML documents with the validator's Python (PyYAML), for assertions on rendered manifests. */
export function parseYaml(env: NodeJS.ProcessEnv, yamlText: string): Array<Record<string, any>> {
  const code = 'import sys, json, yaml; print(json.dumps([d for d in yaml.safe_load_all(sys.stdin) if d is not None]))';
  return JSON.parse(execFileSync('python3', ['-c', code], { env, input: yamlText, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
}
