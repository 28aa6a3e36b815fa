import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig, loadPlatformConfig } from '../../services/platform/config.ts';
import { ConfigError } from '../../services/platform/errors.ts';
import { loadLlmClientConfig } from '../../services/platform/llm/config.ts';
import { createLogger } from '../../services/platform/logger.ts';

/**
 * Secrets never reach a log line or an error message: pino's redaction in the runtime's logger, and
 * loadConfig's error text for bad environment variables.
 */
const SECRET = 'hunter2-s3cr3t-value';

function capture(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'trace', destination }), text: () => chunks.join('') };
}

describe('security: the runtime logger redacts secrets', () => {
  const shapes: Array<[string, Record<string, unknown>]> = [
    ['platform config logged as config', { config: { KAFKA_SASL_PASSWORD: SECRET, CLICKHOUSE_PASSWORD: SECRET, OPENAI_API_KEY: SECRET, KAFKA_BROKERS: ['b:9092'] } }],
    ['kafkajs sasl options', { sasl: { mechanism: 'scram-sha-512', username: 'svc', password: SECRET } }],
    ['nested sasl options', { client: { sasl: { mechanism: 'plain', username: 'svc', password: SECRET } } }],
    ['authorization header', { headers: { authorization: `Bearer ${SECRET}` } }],
    ['request with authorization header', { request: { headers: { authorization: `Bearer ${SECRET}` } } }],
    ['api key option', { apiKey: SECRET }],
    ['client options with api key', { options: { apiKey: SECRET, baseURL: 'http://llm:8000/v1' } }],
    ['password field', { password: SECRET }],
  ];

  it.each(shapes)('%s', (_name, payload) => {
    const { logger, text } = capture();
    logger.info(payload, 'something happened');
    logger.child({ stage: 'x' }).warn(payload, 'in a child logger too');
    expect(text()).toContain('something happened');
    expect(text()).not.toContain(SECRET);
    expect(text()).toContain('[redacted]');
  });

  it('keeps the non-secret fields next to a redacted one', () => {
    const { logger, text } = capture();
    logger.info({ config: { KAFKA_SASL_PASSWORD: SECRET, KAFKA_BROKERS: 'broker-1:9092' } }, 'config');
    expect(text()).toContain('broker-1:9092');
  });

  // Known gap (reported): redaction is by path, so a secret logged under a key the list does not name leaks.
  // The runtime never logs the config that way today; a stage that did (e.g. logger.info({ settings: ctx.platform }))
  // would print KAFKA_SASL_PASSWORD. Fix: censor by key name at any depth (pino `formatters.log`) or keep
  // secrets out of PlatformConfig behind a getter.
  it('redacts the SASL password wherever the platform config is logged', () => {
    const { logger, text } = capture();
    logger.info({ settings: loadPlatformConfig({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: SECRET }) }, 'starting');
    expect(text()).not.toContain(SECRET);
  });
});

describe('security: configuration errors never echo secrets', () => {
  it('a bad secret variable is named, its value is not', () => {
    const schema = z.object({
      OPENAI_API_KEY: z.string().startsWith('sk-'),
      CLICKHOUSE_PASSWORD: z.string().min(40),
      WEBHOOK_SECRET: z.string().length(64),
      GITHUB_TOKEN: z.string().regex(/^ghp_/),
      KAFKA_SASL_PASSWORD: z.string().min(64),
    });
    const env = { OPENAI_API_KEY: SECRET, CLICKHOUSE_PASSWORD: SECRET, WEBHOOK_SECRET: SECRET, GITHUB_TOKEN: SECRET, KAFKA_SASL_PASSWORD: SECRET };
    let message = '';
    try {
      loadConfig(schema, env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    for (const name of Object.keys(env)) expect(message).toContain(`${name}=`);
    expect(message).not.toContain(SECRET);
  });

  it('the SASL check names the missing variables without echoing the username or password', () => {
    expect(() => loadPlatformConfig({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_PASSWORD: SECRET })).toThrow(ConfigError);
    try {
      loadPlatformConfig({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_PASSWORD: SECRET });
    } catch (error) {
      expect((error as Error).message).toMatch(/KAFKA_SASL_USERNAME/);
      expect((error as Error).message).not.toContain(SECRET);
    }
  });

  it('a bad LLM setting next to an API key does not print the key', () => {
    let message = '';
    try {
      loadLlmClientConfig({ FLYWHEEL_LLM: 'openai', OPENAI_BASE_URL: 'http://llm:8000/v1', OPENAI_API_KEY: SECRET, LLM_TIMEOUT_MS: 'soon' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/LLM_TIMEOUT_MS/);
    expect(message).not.toContain(SECRET);
  });

  // Known gap (reported): credentials inside a URL variable (https://user:password@host) are echoed when the
  // URL is invalid, because only names matching PASSWORD|SECRET|TOKEN|API_KEY are redacted.
  it('an invalid URL that carries credentials is not echoed', () => {
    let message = '';
    try {
      loadPlatformConfig({ SCHEMA_REGISTRY_URL: `https//registry-user:${SECRET}@registry:8081` });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/SCHEMA_REGISTRY_URL/);
    expect(message).not.toContain(SECRET);
  });
});
