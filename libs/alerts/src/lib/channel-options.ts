// The options of each kind of channel: their types and the JSON Schema of `alerts.channels.<name>`
// (chosen by `type`). What a service takes as a credential (a routing key, an API key, a token,
// a URL whose path or query is one) is marked `secret: true`, so a config file's loader scrubs
// it from every log line and error, whether written inline or given by `${env:}`/`${file:}`.
import { whenPresent } from '@sitewatch/schema';

/** The settings every channel has. */
export interface ChannelSettings {
  /** Budget of one delivery attempt to this channel, ms (default: `notifier.sendTimeoutMs`). */
  timeoutMs?: number;
}

/**
 * A generic webhook: a signed JSON POST. A config file's loader scrubs its url, secret and
 * header values from every log line (marked `secret` in the schema; a header value only from
 * 4 characters, unless its name says it is a credential: Authorization, Cookie, X-Api-Key...).
 */
export interface WebhookChannel extends ChannelSettings {
  type: 'webhook';
  /** http(s) URL; a secret, as its path or query may hold a token. */
  url: string;
  /** Key of the HMAC-SHA256 signature headers (`X-Sitewatch-Signature-V2`, `X-Sitewatch-Signature`); none without it. */
  secret?: string;
  /** Extra request headers (e.g. an authorization); their values are secrets. */
  headers?: Record<string, string>;
}

/** A Slack incoming webhook. */
export interface SlackChannel extends ChannelSettings {
  type: 'slack';
  /** The incoming webhook URL; a secret, as its path is the credential. */
  url: string;
}

/** Email over SMTP. */
export interface EmailChannel extends ChannelSettings {
  type: 'email';
  host: string;
  /** Default 587, or 465 with `secure`. */
  port?: number;
  /** TLS from the first byte (SMTPS, usually port 465); otherwise STARTTLS when the server offers it. */
  secure?: boolean;
  /** Refuse to send without STARTTLS (default true when not `secure`). */
  requireTls?: boolean;
  /** PEM CA certificates to trust (default: the system CAs). */
  caFile?: string;
  username?: string;
  password?: string;
  from: string;
  to: readonly string[];
}

/** PagerDuty's Events API v2: a trigger per problem, a resolve when it ends, one alert per incident (its dedup_key). */
export interface PagerDutyChannel extends ChannelSettings {
  type: 'pagerduty';
  /** The 32-character integration key of an Events API v2 integration (the `routing_key`); a secret. */
  routingKey: string;
  /** The Events API (default `https://events.pagerduty.com/v2/enqueue`; an EU account: `https://events.eu.pagerduty.com/v2/enqueue`). */
  url?: string;
}

/** Opsgenie's Alert API: an alert per problem (its alias), closed when it ends. */
export interface OpsgenieChannel extends ChannelSettings {
  type: 'opsgenie';
  /** The API key of an API integration (`Authorization: GenieKey …`); a secret. */
  apiKey: string;
  /** The instance: `us` (`https://api.opsgenie.com`, default) or `eu` (`https://api.eu.opsgenie.com`). */
  region?: 'us' | 'eu';
  /** An API base URL instead of the region's (a proxy). */
  apiUrl?: string;
  /** Tags put on every alert besides `sitewatch` and the kind (at most 16, of 50 characters). */
  tags?: readonly string[];
}

/** A Microsoft Teams Workflows webhook ("When a Teams webhook request is received"): an Adaptive Card. */
export interface TeamsChannel extends ChannelSettings {
  type: 'teams';
  /** The workflow's HTTP URL; a secret, as its query (`sig=`) is the credential. */
  url: string;
}

/** A Discord webhook: an embed. */
export interface DiscordChannel extends ChannelSettings {
  type: 'discord';
  /** `https://discord.com/api/webhooks/<id>/<token>`; a secret, as its path is the credential. */
  url: string;
  /** The name shown as the sender (default: the webhook's own). */
  username?: string;
}

/** A Telegram bot: the Bot API's sendMessage to one chat. */
export interface TelegramChannel extends ChannelSettings {
  type: 'telegram';
  /** The bot's token (`123456:ABC…`, from BotFather); a secret, scrubbed from every error as it is in the request's path. */
  token: string;
  /** The chat: its id (a group's is negative), or `@channelusername`. */
  chatId: number | string;
  /** A forum topic of the chat (`message_thread_id`). */
  messageThreadId?: number;
  /** The Bot API server (default `https://api.telegram.org`; a local Bot API server). */
  apiUrl?: string;
}

/** ntfy: a push notification to a topic. */
export interface NtfyChannel extends ChannelSettings {
  type: 'ntfy';
  /** The topic's URL (`https://ntfy.sh/<topic>`); a secret, as on a public server the topic is the password. */
  url: string;
  /** An access token (`tk_…`), for a topic that needs one; a secret. */
  token?: string;
  /** 1 (min) to 5 (max) for every notification (default: 5 down, 4 degraded, reminders and certificates, 3 good news). */
  priority?: 1 | 2 | 3 | 4 | 5;
  /** Tags (emoji short codes show as emojis) added to the event's own. */
  tags?: readonly string[];
}

/** One of the channel kinds. */
export type ChannelOptions = WebhookChannel | SlackChannel | EmailChannel | PagerDutyChannel | OpsgenieChannel | TeamsChannel | DiscordChannel | TelegramChannel | NtfyChannel;

/** The kinds of channel. */
export const channelTypes = ['webhook', 'slack', 'email', 'pagerduty', 'opsgenie', 'teams', 'discord', 'telegram', 'ntfy'] as const satisfies readonly ChannelOptions['type'][];

const http = { type: 'string', pattern: '^https?://', description: 'http(s) URL.' } as const;
const timeoutMs = { type: 'integer', minimum: 100, maximum: 120_000, description: 'Budget of one delivery attempt to this channel, ms (default: notifier.sendTimeoutMs).' } as const;
const tags = (maxItems: number, description: string) => ({ type: 'array', maxItems, items: { type: 'string', minLength: 1, maxLength: 50 }, description }) as const;

/** The settings of one kind, selected by its `type` (if/then: a mistake is reported inside the kind it names). */
function kind<T extends string, P extends object>(type: T, required: readonly string[], properties: P, rules: object = {}) {
  return { if: { properties: { type: { const: type } } }, then: { additionalProperties: false, required, properties: { type: { const: type }, ...properties, timeoutMs }, ...rules } } as const;
}

/** The JSON Schema of one channel (`alerts.channels.<name>`). */
export const channelSchema = {
  type: 'object',
  required: ['type'],
  properties: { type: { enum: [...channelTypes], description: 'The kind of channel; its settings follow.' } },
  allOf: [
    kind('webhook', ['url'], {
      url: { ...http, secret: true, description: 'Where the JSON is POSTed (its path or query may hold a token).' },
      secret: { type: 'string', minLength: 16, secret: true, description: 'HMAC-SHA256 key of the signature headers (at least 16 characters).' },
      headers: {
        type: 'object',
        additionalProperties: { type: 'string', secret: 'maybe' },
        description: 'Extra request headers (e.g. Authorization); values of 4 characters or more are scrubbed from logs, and those of credential-named headers (Authorization, Cookie, *-Api-Key, *token, *secret, *password) must have 4 at least.',
      },
    }),
    kind('slack', ['url'], { url: { ...http, secret: true, description: 'Slack incoming webhook URL (its path is the credential).' } }),
    kind(
      'email',
      ['host', 'from', 'to'],
      {
        host: { type: 'string', minLength: 1, description: 'SMTP server.' },
        port: { type: 'integer', minimum: 1, maximum: 65_535, description: 'Default 587, or 465 with secure.' },
        secure: { type: 'boolean', default: false, description: 'TLS from the first byte (SMTPS); otherwise STARTTLS.' },
        requireTls: { type: 'boolean', description: 'Refuse to send without STARTTLS (default: true unless secure).' },
        caFile: { type: 'string', minLength: 1, description: 'PEM CA certificates to trust instead of the system ones.' },
        username: { type: 'string', minLength: 1, description: 'SMTP login (none: send without one).' },
        password: { type: 'string', minLength: 1, secret: true, description: 'SMTP password; needs username.' },
        from: { type: 'string', minLength: 3, description: 'Sender address.' },
        to: { type: 'array', minItems: 1, items: { type: 'string', minLength: 3 }, description: 'Recipient addresses.' },
      },
      { allOf: [whenPresent('password', { required: ['username'] }, 'needs username')] },
    ),
    kind('pagerduty', ['routingKey'], {
      routingKey: { type: 'string', pattern: '^[A-Za-z0-9]{32}$', secret: true, description: 'Integration key of an Events API v2 integration (32 letters and digits).' },
      url: { ...http, description: 'The Events API (default https://events.pagerduty.com/v2/enqueue; an EU account: https://events.eu.pagerduty.com/v2/enqueue).' },
    }),
    kind('opsgenie', ['apiKey'], {
      apiKey: { type: 'string', minLength: 16, secret: true, description: 'API key of an API integration (sent as Authorization: GenieKey <key>).' },
      region: { enum: ['us', 'eu'], description: 'Instance: us (api.opsgenie.com, default) or eu (api.eu.opsgenie.com).' },
      apiUrl: { ...http, description: "API base URL instead of the region's (a proxy)." },
      tags: tags(16, 'Tags put on every alert besides sitewatch and the kind.'),
    }),
    kind('teams', ['url'], { url: { ...http, secret: true, description: 'HTTP URL of a Workflows webhook trigger (its sig= query is the credential).' } }),
    kind('discord', ['url'], {
      url: { ...http, secret: true, description: 'Webhook URL, https://discord.com/api/webhooks/<id>/<token> (its path is the credential).' },
      username: { type: 'string', minLength: 1, maxLength: 80, description: "Sender name shown (default: the webhook's)." },
    }),
    kind('telegram', ['token', 'chatId'], {
      token: { type: 'string', pattern: '^[0-9]+:[A-Za-z0-9_-]{20,}$', secret: true, description: "The bot's token from BotFather (123456:ABC…)." },
      chatId: { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^(-?[0-9]+|@[A-Za-z0-9_]{4,})$' }], description: 'The chat: its id (negative for a group), or @channelusername.' },
      messageThreadId: { type: 'integer', minimum: 1, description: 'A forum topic of the chat.' },
      apiUrl: { ...http, description: 'The Bot API server (default https://api.telegram.org).' },
    }),
    kind('ntfy', ['url'], {
      url: { type: 'string', pattern: '^https?://[^/]+/([^?#]*/)?[-_A-Za-z0-9]{1,64}$', secret: true, description: 'The topic URL, https://ntfy.sh/<topic> (on a public server the topic is the password).' },
      token: { type: 'string', minLength: 4, secret: true, description: 'Access token (Authorization: Bearer) for a protected topic.' },
      priority: { type: 'integer', minimum: 1, maximum: 5, description: 'Priority of every notification (default: 5 down; 4 degraded, reminders, certificates; 3 good news).' },
      tags: tags(10, "Tags (emoji short codes show as emojis) added to the event's own."),
    }),
  ],
} as const;
