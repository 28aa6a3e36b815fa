import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { echoResponder, FakeOpenAiServer, type RecordedRequest, type Responder } from '../test/fakes/openai-server.ts';

/** A model that searches once, then answers: two calls per rollout (bench/rollout-scale.ts, bench/_rollout.ts). */
export function twoStepPolicy(request: RecordedRequest) {
  const messages = (request.body.messages ?? []) as Array<{ role: string; content: string | null }>;
  if (!messages.some((m) => m.role === 'tool')) {
    return { content: '<think>search</think>', tool_calls: [{ name: 'search', arguments: JSON.stringify({ query: [String(messages[1]?.content ?? '')] }) }] };
  }
  return { content: '<think>found it</think><answer>unknown</answer>' };
}

const responders: Record<string, Responder> = { echo: echoResponder, 'two-step': twoStepPolicy };

export interface FakeLlmProcess {
  url: string;
  pid: number;
  /** Most requests the server held at once since the last call (then reset). */
  peakInFlight(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The fake OpenAI server (test/fakes/openai-server.ts) in a child process of its own, as a real model server
 * would be: its CPU (parsing requests, building replies, its timers) neither runs on the measured process's event
 * loop nor counts in that process's CPU time. Bench helper; `_` keeps bench/run.ts from running it as a bench.
 */
export async function startFakeLlmProcess(latencyMs: number, responder: keyof typeof responders = 'echo'): Promise<FakeLlmProcess> {
  const child = fork(fileURLToPath(import.meta.url), [String(latencyMs), responder], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () => new Promise<unknown>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`fake LLM server exited (${code})`)));
  });
  const url = String(await next());
  return {
    url,
    pid: child.pid!,
    peakInFlight: async () => {
      const reply = next();
      child.send('peak');
      return Number(await reply);
    },
    close: () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.disconnect()))),
  };
}

// child mode: serve, tell the parent the URL, answer 'peak', exit when the parent lets go
if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  const fake = await FakeOpenAiServer.start({ latencyMs: Number(process.argv[2] ?? 0), responder: responders[process.argv[3] ?? 'echo'] });
  setInterval(() => (fake.requests.length = 0), 1000).unref(); // recorded requests are not needed here
  process.on('message', () => {
    process.send!(fake.peakInFlight);
    fake.peakInFlight = fake.inFlight;
  });
  process.on('disconnect', () => void fake.close().then(() => process.exit(0)));
  process.send(fake.url);
}
