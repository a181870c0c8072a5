// What the `sitewatch` command (apps/cli) runs of the producer: its command line, and the
// service itself for `sitewatch all`.
export { producerCommand } from './main.js';
export { loadProducerConfig, producerSections, producerTargets, type ProducerConfig } from './config.js';
export { startProducer, type Producer } from './producer.js';
