import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths of secrets that must never reach a log line, whatever object carries them. */
export const redactedPaths = [
  'password',
  '*.password',
  'apiKey',
  '*.apiKey',
  'api_key',
  '*.api_key',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'sasl',
  '*.sasl',
  'config.KAFKA_SASL_PASSWORD',
  'config.CLICKHOUSE_PASSWORD',
  'config.OPENAI_API_KEY',
];

const SECRET_KEY = /pass(word)?|secret|token|api_?key|authorization|credential/i;

/**
 * Censors values whose key looks like a secret, at any depth: path-based redaction cannot know where a caller
 * nests a config object (`{ settings: config }`).
 */
export function censorSecrets(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object' || value instanceof Error || Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) return value.map((v) => censorSecrets(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null ? '[redacted]' : censorSecrets(v, depth + 1);
  return out;
}

/** JSON logs on stdout (or the given destination); one root logger per process, children per component. */
export function createLogger(options: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      name: options.name ?? 'flywheel',
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: redactedPaths, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (object) => censorSecrets(object) as Record<string, unknown> },
    },
    options.destination,
  );
}
