import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KafkaConfig } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { loadPlatformConfig } from '../../services/platform/config.ts';
import { createKafka } from '../../services/platform/kafka/client.ts';
import { createLogger } from '../../services/platform/logger.ts';

/**
 * Kafka TLS and SASL/SCRAM settings go from the environment into the kafkajs client: the options it is built
 * with (recorded by a thin subclass, the real client underneath) and, for SASL, what the real broker sees.
 */
const built: KafkaConfig[] = [];
vi.mock('kafkajs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('kafkajs')>();
  class RecordingKafka extends actual.Kafka {
    constructor(config: KafkaConfig) {
      built.push(config);
      super(config);
    }
  }
  return { ...actual, Kafka: RecordingKafka };
});

const logger = createLogger({ level: 'silent' });

function build(env: NodeJS.ProcessEnv): KafkaConfig {
  createKafka(loadPlatformConfig(env), logger, 'test');
  return built[built.length - 1];
}

describe('security: Kafka TLS and SASL/SCRAM from the environment', () => {
  it('plaintext by default', () => {
    const config = build({ KAFKA_BROKERS: 'k1:9092, k2:9092' });
    expect(config.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(config.ssl).toBeUndefined();
    expect(config.sasl).toBeUndefined();
  });

  it('TLS with the system CAs, or with a CA file', () => {
    expect(build({ KAFKA_SSL: 'true' }).ssl).toBe(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-ca-'));
    const caFile = path.join(dir, 'ca.crt');
    fs.writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    try {
      expect(build({ KAFKA_SSL: 'yes', KAFKA_SSL_CA_FILE: caFile }).ssl).toEqual({ ca: [fs.readFileSync(caFile, 'utf8')] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['scram-sha-256', 'scram-sha-512', 'plain'] as const)('SASL %s with username and password', (mechanism) => {
    const config = build({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'flywheel', KAFKA_SASL_PASSWORD: 'pw' });
    expect(config.sasl).toEqual({ mechanism, username: 'flywheel', password: 'pw' });
    expect(config.ssl).toBe(true);
  });

  it('refuses a SASL mechanism without credentials, and unknown mechanisms, before connecting', () => {
    expect(() => loadPlatformConfig({ KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toThrow(/KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/);
    expect(() => loadPlatformConfig({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM/);
    expect(() => loadPlatformConfig({ KAFKA_SSL: 'maybe' })).toThrow(/KAFKA_SSL/);
  });

  it('the SASL settings reach the wire: the plaintext test broker refuses the SCRAM handshake', async () => {
    const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
    const kafka = createKafka(
      loadPlatformConfig({ KAFKA_BROKERS: brokers, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'flywheel', KAFKA_SASL_PASSWORD: 'pw' }),
      logger,
      'sasl-probe',
    );
    const admin = kafka.admin();
    await expect(admin.connect()).rejects.toThrow(/SASL|mechanism|authentication/i);
    await admin.disconnect().catch(() => undefined);
  }, 60_000);
});
