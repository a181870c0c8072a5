import type { ChannelOptions } from '../channel-options.js';
import type { Channel } from './channel.js';
import { createDiscordChannel } from './discord.js';
import { createEmailChannel } from './email.js';
import { createNtfyChannel } from './ntfy.js';
import { createOpsgenieChannel } from './opsgenie.js';
import { createPagerDutyChannel } from './pagerduty.js';
import { createSlackChannel } from './slack.js';
import { createTeamsChannel } from './teams.js';
import { createTelegramChannel } from './telegram.js';
import { createWebhookChannel } from './webhook.js';

export type { Channel, Delivery, DeliveryReceipt } from './channel.js';

/** The channel of a validated channel option; `timeoutMs` is the notifier's sendTimeoutMs, for a channel without its own. */
export function createChannel(name: string, options: ChannelOptions, context: { timeoutMs: number; now: () => Date }): Channel {
  const timeoutMs = options.timeoutMs ?? context.timeoutMs;
  switch (options.type) {
    case 'webhook':
      return createWebhookChannel(name, options, timeoutMs, context.now);
    case 'slack':
      return createSlackChannel(name, options, timeoutMs);
    case 'email':
      return createEmailChannel(name, options, timeoutMs);
    case 'pagerduty':
      return createPagerDutyChannel(name, options, timeoutMs);
    case 'opsgenie':
      return createOpsgenieChannel(name, options, timeoutMs);
    case 'teams':
      return createTeamsChannel(name, options, timeoutMs);
    case 'discord':
      return createDiscordChannel(name, options, timeoutMs);
    case 'telegram':
      return createTelegramChannel(name, options, timeoutMs);
    case 'ntfy':
      return createNtfyChannel(name, options, timeoutMs);
  }
}
