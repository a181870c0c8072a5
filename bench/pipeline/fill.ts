// Pre-fills a topic with generated results through the real publisher (keyed by target,
// murmur2-partitioned, gzip, the schema version header: what the producer app writes), in
// large batches. Its speed is not what the benchmark measures.
import { createPublisher } from '@sitewatch/kafka-transport';
import { brokers } from './environment.js';
import { generateResults, type ResultSpec } from './results.js';

/** How the fill went. */
export interface FillReport {
  published: number;
  dropped: number;
  seconds: number;
}

/** Publishes every result of `spec` to `topic` and waits until the broker has them all. */
export async function fillTopic(topic: string, spec: ResultSpec): Promise<FillReport> {
  const began = performance.now();
  // The buffer holds one chunk: publish() never blocks, so the loop waits for each flush.
  const chunk = 50_000;
  const publisher = createPublisher({ connection: { brokers }, topic, maxBatchResults: 5000, lingerMs: 5, maxBufferedResults: chunk, compression: 'gzip' });
  try {
    for (const batch of generateResults(spec, chunk)) {
      for (const result of batch) publisher.publish(result);
      await publisher.flush();
    }
  } finally {
    await publisher.close();
  }
  const { published, dropped } = publisher.stats();
  return { published, dropped, seconds: (performance.now() - began) / 1000 };
}
