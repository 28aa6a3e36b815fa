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

/** JSON logs on stdout (or the given destination); one root logger per process, children per component. */
export function createLogger(options: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      name: options.name ?? 'flywheel',
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: redactedPaths, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
