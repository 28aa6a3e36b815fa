import kafkajs, { type Kafka, type Producer, type ProducerBatch, type ProducerRecord, type Transaction } from 'kafkajs';
import lz4 from 'lz4-napi';
import zstd from 'zstd-napi';

import type { PlatformConfig } from '../config.ts';

export type CompressionName = PlatformConfig['KAFKA_COMPRESSION'];

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

/**
 * kafkajs ships gzip only; LZ4 (frame format, as Kafka wants it) and zstd come from native codecs on npm:
 * lz4-napi (prebuilt binaries) and zstd-napi (the reference library, built at install). Registered once per
 * process, for consumers too: a reader must decompress whatever any producer chose.
 */
export function registerCodecs(): void {
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    compress: (encoder: Encoder) => lz4.compressFrame(encoder.buffer),
    decompress: (buffer: Buffer) => lz4.decompressFrame(buffer),
  });
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    compress: async (encoder: Encoder) => zstd.compress(encoder.buffer),
    decompress: async (buffer: Buffer) => zstd.decompress(buffer),
  });
}

/**
 * compression is an option of each send in kafkajs, not of the producer: every producer this client makes
 * (and each of its transactions) gets `name` as the default of its sends, so no call site has to pass it.
 */
export function compressSends(kafka: Kafka, name: CompressionName): Kafka {
  if (name === 'none') return kafka;
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
