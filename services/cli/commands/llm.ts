import type { Command } from 'commander';
import { createLlmClientFromEnv } from '../../platform/llm/client.ts';
import { llmMode } from '../../platform/llm/config.ts';
import { endpointAnswers, ensureLocalLlmServer, localServerPid, localServerSettings, stopLocalLlmServer } from '../../platform/llm/local-process.ts';
import { createLogger } from '../../platform/logger.ts';

export function registerLlmCommands(program: Command): void {
  const llm = program.command('llm').description('the LLM: the embedded local model behind an OpenAI-compatible endpoint, and quick checks of any endpoint');
  llm
    .command('serve')
    .description('serve the embedded GGUF model (LLM_LOCAL_MODEL, default the bundled SmolLM2-135M) at http://LLM_LOCAL_HOST:LLM_LOCAL_PORT/v1 until SIGTERM/SIGINT')
    .action(async () => {
      const settings = localServerSettings();
      const logger = createLogger({ name: 'llm-local' });
      // node-llama-cpp takes seconds to load: only this command needs it, not every start of the CLI
      const { startLocalLlmServer } = await import('../../platform/llm/local-server.ts');
      const server = await startLocalLlmServer({ ...settings, logger });
      console.error(`serving ${settings.name} at ${server.url}`);
      await new Promise<void>((resolve) => {
        const stop = () => void server.close().finally(resolve);
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
  llm
    .command('up')
    .description('start `llm serve` in the background (what `stack up` does when FLYWHEEL_LLM=local) and wait until it answers')
    .action(async () => {
      const { started, url, pid } = await ensureLocalLlmServer();
      console.log(`${started ? 'started' : 'already running'}: local LLM at ${url}${pid ? ` (pid ${pid})` : ''}`);
    });
  llm
    .command('down')
    .description('stop the background local LLM server started by `llm up` / `stack up`')
    .action(async () => console.log((await stopLocalLlmServer()) ? 'stopped' : 'not running'));
  llm
    .command('status')
    .description('which LLM is configured, and does the local endpoint answer?')
    .action(async () => {
      const settings = localServerSettings();
      const answers = await endpointAnswers(settings.url);
      console.log(JSON.stringify({ mode: llmMode(), local: { url: settings.url, model: settings.modelPath, pid: localServerPid() ?? null, answers } }, null, 2));
    });
  llm
    .command('ask')
    .argument('<prompt...>', 'the question')
    .option('--json', 'ask for a JSON object (structured output)')
    .option('--no-cache', 'skip the response cache')
    .description('send one chat request through the configured client (governor, cache, cost) and print reply and usage')
    .action(async (words: string[], options: { json?: boolean; cache: boolean }) => {
      const client = createLlmClientFromEnv(process.env, { logger: createLogger({ level: 'warn' }) });
      if (!client) {
        console.error('FLYWHEEL_LLM=none: set FLYWHEEL_LLM=local (after `flywheel llm up`) or FLYWHEEL_LLM=openai with OPENAI_BASE_URL and LLM_MODEL');
        process.exitCode = 2;
        return;
      }
      const request = {
        purpose: 'cli',
        messages: [{ role: 'user' as const, content: words.join(' ') }],
        cache: options.cache,
        max_tokens: 256,
        ...(options.json ? { response_format: { type: 'json_object' as const } } : {}),
      };
      const started = Date.now();
      const reply = await client.chat(request);
      console.log(reply.content || JSON.stringify(reply.tool_calls));
      console.error(JSON.stringify({ ...reply.usage, cached: reply.cached, ms: Date.now() - started }));
    });
}

/** `stack up` hook: with FLYWHEEL_LLM=local, the embedded model's endpoint comes up with the stack. */
export async function upLocalLlmIfSelected(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (llmMode(env) !== 'local') return;
  const { started, url } = await ensureLocalLlmServer(env);
  console.log(`${started ? 'started' : 'already running'}: local LLM at ${url}`);
}

/** `stack down` hook: stops the local LLM server if this project started one. */
export async function downLocalLlmIfRunning(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (await stopLocalLlmServer(env)) console.log('stopped the local LLM');
}
