import type { ChannelOptions } from '../options.js';
import type { Channel } from './channel.js';
import { createEmailChannel } from './email.js';
import { createSlackChannel } from './slack.js';
import { createWebhookChannel } from './webhook.js';

export type { Channel, Delivery } from './channel.js';

/** The channel of a validated channel option. */
export function createChannel(name: string, options: ChannelOptions, context: { timeoutMs: number; now: () => Date }): Channel {
  switch (options.type) {
    case 'webhook':
      return createWebhookChannel(name, options, context.now);
    case 'slack':
      return createSlackChannel(name, options);
    case 'email':
      return createEmailChannel(name, options, context.timeoutMs);
  }
}
