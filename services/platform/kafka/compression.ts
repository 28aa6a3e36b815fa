import { createRequire } from 'node:module';
import kafkajs, { type Kafka, type Producer, type ProducerBatch, type ProducerRecord, type Transaction } from 'kafkajs';
import type { PlatformConfig } from '../config.ts';
import { ConfigError } from '../errors.ts';

export type CompressionName = NonNullable<PlatformConfig['KAFKA_COMPRESSION']>;

// CommonJS packages: their exports come through the default import
const { CompressionCodecs, CompressionTypes } = kafkajs;

const types: Record<CompressionName, kafkajs.CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

interface Encoder {
  buffer: Buffer;
}

interface NativeCodec {
  compress(data: Buffer): Buffer | Promise<Buffer>;
  decompress(data: Buffer): Buffer | Promise<Buffer>;
}

/** A native codec package, or why it could not be loaded (e.g. an install that skipped its build step). */
function load(name: string, pick: (module: Record<string, (data: Buffer) => Buffer | Promise<Buffer>>) => NativeCodec): NativeCodec | Error {
  try {
    return pick(createRequire(import.meta.url)(name));
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

const native: Partial<Record<CompressionName, NativeCodec | Error>> = {};

/**
 * kafkajs ships gzip only; LZ4 (frame format, as Kafka wants it) and zstd come from native codecs on npm:
 * lz4-napi (prebuilt binaries) and zstd-napi (the reference library, built at install). Registered once per
 * process, for consumers too: a reader must decompress whatever any producer chose.
 */
export function registerCodecs(): void {
  native.lz4 ??= load('lz4-napi', (m) => ({ compress: m.compressFrame, decompress: m.decompressFrame }));
  native.zstd ??= load('zstd-napi', (m) => ({ compress: m.compress, decompress: m.decompress }));
  for (const name of ['lz4', 'zstd'] as const) {
    const codec = native[name];
    CompressionCodecs[name === 'lz4' ? CompressionTypes.LZ4 : CompressionTypes.ZSTD] = () => ({
      compress: async (encoder: Encoder) => usable(name, codec).compress(encoder.buffer),
      decompress: async (buffer: Buffer) => usable(name, codec).decompress(buffer),
    });
  }
}

/** zstd (measured best: bench/compression.ts), or gzip where the zstd codec did not install. */
export function defaultCompression(): CompressionName {
  registerCodecs();
  return native.zstd instanceof Error ? 'gzip' : 'zstd';
}

function usable(name: CompressionName, codec: NativeCodec | Error | undefined): NativeCodec {
  if (codec && !(codec instanceof Error)) return codec;
  throw new ConfigError(`the ${name} codec is not installed (${codec?.message.split('\n')[0] ?? 'not loaded'}); run scripts/setup.sh, or set KAFKA_COMPRESSION=gzip`);
}

/**
 * compression is an option of each send in kafkajs, not of the producer: every producer this client makes
 * (and each of its transactions) gets `name` as the default of its sends, so no call site has to pass it.
 */
export function compressSends(kafka: Kafka, name: CompressionName): Kafka {
  if (name === 'none') return kafka;
  if (name === 'lz4' || name === 'zstd') usable(name, native[name]); // fail at start-up, naming the setting
  const compression = types[name];
  const makeProducer = kafka.producer.bind(kafka);
  kafka.producer = (config) => {
    const producer = makeProducer(config);
    withDefault(producer, compression);
    const transaction = producer.transaction.bind(producer);
    producer.transaction = async () => withDefault(await transaction(), compression);
    return producer;
  };
  return kafka;
}

function withDefault<T extends Pick<Producer | Transaction, 'send' | 'sendBatch'>>(target: T, compression: kafkajs.CompressionTypes): T {
  const send = target.send.bind(target);
  const sendBatch = target.sendBatch.bind(target);
  target.send = (record: ProducerRecord) => send({ compression, ...record });
  target.sendBatch = (batch: ProducerBatch) => sendBatch({ compression, ...batch });
  return target;
}
