import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { projectRoot } from '../paths.ts';
import { llmEnvSchema, localModelName, localModelPath, type LlmEnv } from './config.ts';
import type { LocalModelOptions } from './local-model.ts';

/** The embedded model's settings from LLM_LOCAL_* (and where its background process keeps pid and log). */
export function localServerSettings(env: NodeJS.ProcessEnv = process.env) {
  const e: LlmEnv = loadConfig(llmEnvSchema, env);
  const dir = path.join(e.FLYWHEEL_HOME, 'llm');
  const model: LocalModelOptions = {
    modelPath: localModelPath(e),
    name: localModelName(e),
    gpu: e.LLM_LOCAL_GPU,
    contextSize: e.LLM_LOCAL_CONTEXT,
    threads: e.LLM_LOCAL_THREADS,
    parallel: e.LLM_LOCAL_PARALLEL,
  };
  return { ...model, host: e.LLM_LOCAL_HOST, port: e.LLM_LOCAL_PORT, url: `http://${e.LLM_LOCAL_HOST}:${e.LLM_LOCAL_PORT}/v1`, pidFile: path.join(dir, 'server.pid'), logFile: path.join(dir, 'server.log') };
}

/** Does an OpenAI-compatible endpoint answer /models at `url`? */
export async function endpointAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const response = await fetch(`${url}/models`, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok;
  } catch {
    return false;
  }
}

export function localServerPid(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const { pidFile } = localServerSettings(env);
  if (!fs.existsSync(pidFile)) return undefined;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * Starts `flywheel llm serve` in the background unless the endpoint already answers, and waits until it does
 * (what `flywheel stack up` calls when FLYWHEEL_LLM=local).
 */
export async function ensureLocalLlmServer(env: NodeJS.ProcessEnv = process.env, timeoutMs = 180_000): Promise<{ started: boolean; url: string; pid?: number }> {
  const settings = localServerSettings(env);
  if (await endpointAnswers(settings.url)) return { started: false, url: settings.url, pid: localServerPid(env) };
  if (!fs.existsSync(settings.modelPath)) {
    throw new ConfigError(`LLM_LOCAL_MODEL=${JSON.stringify(settings.modelPath)}: no model file there; run scripts/install-model.sh (bundled model) or point LLM_LOCAL_MODEL at a GGUF file`);
  }
  fs.mkdirSync(path.dirname(settings.pidFile), { recursive: true });
  const out = fs.openSync(settings.logFile, 'a');
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'flywheel.mjs'), 'llm', 'serve'], { detached: true, stdio: ['ignore', out, out], env, cwd: projectRoot });
  child.unref();
  fs.closeSync(out);
  fs.writeFileSync(settings.pidFile, String(child.pid));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await endpointAnswers(settings.url)) return { started: true, url: settings.url, pid: child.pid };
    if (!localServerPid(env)) throw new Error(`the local LLM server exited during start-up; see ${settings.logFile}`);
    await sleep(500);
  }
  throw new Error(`the local LLM server did not answer at ${settings.url} within ${timeoutMs} ms; see ${settings.logFile}`);
}

/** Stops the background server this project started (by its pid file); true if one was running. */
export async function stopLocalLlmServer(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const pid = localServerPid(env);
  if (!pid) return false;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 40 && localServerPid(env); i++) await sleep(250);
  fs.rmSync(localServerSettings(env).pidFile, { force: true });
  return true;
}
