import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.ts';
import { loadPlatformConfig } from './config.ts';

describe('platform config', () => {
  it('has working defaults', () => {
    const config = loadPlatformConfig({});
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:19092']);
    expect(config.STAGE_CONCURRENCY).toBe(8);
  });

  it('fails at start with the variable named', () => {
    expect(() => loadPlatformConfig({ STAGE_CONCURRENCY: 'many' })).toThrowError(ConfigError);
    expect(() => loadPlatformConfig({ STAGE_CONCURRENCY: 'many' })).toThrowError(/STAGE_CONCURRENCY="many"/);
    expect(() => loadPlatformConfig({ KAFKA_BROKERS: 'localhost' })).toThrowError(/KAFKA_BROKERS="localhost": expected host:port/);
    expect(() => loadPlatformConfig({ LOG_LEVEL: 'loud', HTTP_PORT: '-1' })).toThrowError(/LOG_LEVEL.*HTTP_PORT|HTTP_PORT.*LOG_LEVEL/);
  });

  it('never echoes a secret in the error', () => {
    expect(() => loadPlatformConfig({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u' })).toThrowError(/KAFKA_SASL_PASSWORD are required/);
  });
});
