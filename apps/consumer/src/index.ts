// What the `sitewatch` command (apps/cli) runs of the consumer: its command line, and the
// service itself for `sitewatch all`.
export { consumerCommand } from './main.js';
export { consumerSections, loadConsumerConfig, type ConsumerConfig } from './config.js';
export { createConsumer, type Consumer } from './consumer.js';
