/**
 * One error tree for flywheel. `retriable` is what the stage runtime reads to decide between a retry with
 * backoff and the dead-letter topic; programmer and data errors are never retried.
 */
export interface FlywheelErrorOptions {
  cause?: unknown;
  retriable?: boolean;
  /** Seconds a caller asked us to wait before retrying (e.g. an HTTP Retry-After). */
  retryAfterMs?: number;
}

export class FlywheelError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly retryAfterMs?: number;

  constructor(code: string, message: string, options: FlywheelErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Configuration that cannot work: raised before anything connects, naming the variable. */
export class ConfigError extends FlywheelError {
  constructor(message: string, options?: FlywheelErrorOptions) {
    super('CONFIG_INVALID', message, options);
  }
}

/** A record that does not match its Avro schema; `path` names the offending field. */
export class RecordValidationError extends FlywheelError {
  constructor(
    readonly schema: string,
    readonly path: string,
    message: string,
  ) {
    super('RECORD_INVALID', `${schema}: field ${path || '(root)'}: ${message}`);
  }
}

/** Bytes that cannot be decoded (unknown fingerprint, truncated, wrong magic byte). */
export class DecodeError extends FlywheelError {
  constructor(message: string, options?: FlywheelErrorOptions) {
    super('DECODE_FAILED', message, options);
  }
}

/** A failure the stage's process function judged transient (network, 429, timeouts). */
export class TransientError extends FlywheelError {
  constructor(message: string, options: FlywheelErrorOptions = {}) {
    super('TRANSIENT', message, { ...options, retriable: true });
  }
}

/** Input the stage cannot handle: goes to the DLQ without retries. */
export class PoisonRecordError extends FlywheelError {
  constructor(message: string, options?: FlywheelErrorOptions) {
    super('POISON_RECORD', message, options);
  }
}

export function isRetriable(error: unknown): boolean {
  if (error instanceof FlywheelError) return error.retriable;
  // kafkajs marks its own transient errors this way
  return typeof error === 'object' && error !== null && (error as { retriable?: boolean }).retriable === true;
}

export function errorCode(error: unknown): string {
  if (error instanceof FlywheelError) return error.code;
  if (error instanceof Error) return error.name || 'Error';
  return 'UNKNOWN';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
