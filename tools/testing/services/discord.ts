// A Discord webhook (discord.com/developers/docs, "Execute Webhook", "Embed Limits", "Rate
// Limits"), as a test receiver: POST /api/webhooks/<id>/<token>, the token being the credential
// (else 401 `{message: "Invalid Webhook Token", code: 50027}`); a JSON body within the embed
// limits (title 256, description 4,096, 25 fields of 256/1,024, footer 2,048, 6,000 characters
// in all embeds, 10 embeds), else 400 `{code: 50035, message: "Invalid Form Body", errors}`;
// `?wait=true`: 200 with the message, else 204. `rateLimitNext()` answers the next request as
// Discord does past a limit: 429 with Retry-After and `{retry_after, global}`.
import { randomUUID } from 'node:crypto';
import { httpUrl, isoTime, problemsOf, type Fields } from './contract.js';
import { isJson, startServiceReceiver, type Answer, type ServiceReceiver, type ServiceRequest } from './receiver.js';

const embedFields: Fields = {
  title: { type: 'string', max: 256 },
  type: { type: 'string', enum: ['rich'] },
  description: { type: 'string', max: 4096 },
  url: { type: 'string', pattern: httpUrl },
  timestamp: { type: 'string', pattern: isoTime },
  color: { type: 'integer', minimum: 0, maximum: 0xffffff },
  footer: { type: 'object', fields: { text: { type: 'string', required: true, max: 2048 }, icon_url: { type: 'string' } } },
  author: { type: 'object', fields: { name: { type: 'string', required: true, max: 256 }, url: { type: 'string' }, icon_url: { type: 'string' } } },
  fields: { type: 'array', max: 25, items: { type: 'object', fields: { name: { type: 'string', required: true, max: 256 }, value: { type: 'string', required: true, max: 1024 }, inline: { type: 'boolean' } } } },
};
const bodyFields: Fields = {
  content: { type: 'string', max: 2000 },
  username: { type: 'string', min: 1, max: 80 },
  avatar_url: { type: 'string', pattern: httpUrl },
  tts: { type: 'boolean' },
  embeds: { type: 'array', max: 10, items: { type: 'object', fields: embedFields } },
  allowed_mentions: { type: 'object', fields: { parse: { type: 'array', items: { type: 'string', enum: ['roles', 'users', 'everyone'] } }, roles: { type: 'array' }, users: { type: 'array' }, replied_user: { type: 'boolean' } } },
  flags: { type: 'integer' },
  thread_name: { type: 'string', max: 100 },
};

interface Embed {
  title?: string;
  description?: string;
  footer?: { text: string };
  author?: { name: string };
  fields?: { name: string; value: string }[];
  color?: number;
  url?: string;
}

/** The characters Discord counts against the 6,000 of a message's embeds. */
const embedLength = (e: Embed) => [e.title, e.description, e.footer?.text, e.author?.name, ...(e.fields ?? []).flatMap((f) => [f.name, f.value])].reduce((n, t) => n + [...(t ?? '')].length, 0);

/** A Discord webhook on loopback. */
export interface DiscordReceiver extends ServiceReceiver {
  /** The webhook's URL. */
  url: string;
  /** The messages posted, in order. */
  messages: { content?: string; username?: string; embeds: Embed[]; allowed_mentions?: { parse: string[] } }[];
  /** Answers the next request with a 429 as Discord does, asking to come back in `seconds`. */
  rateLimitNext(seconds: number): void;
}

/** Starts the receiver. */
export async function startDiscordReceiver(): Promise<DiscordReceiver> {
  const id = String(Math.floor(Math.random() * 1e17));
  const token = `${randomUUID()}${randomUUID()}`.replaceAll('-', '');
  const messages: DiscordReceiver['messages'] = [];

  function handle(request: ServiceRequest): Answer {
    const match = /^\/api\/webhooks\/(\d+)\/([^/]+)$/.exec(request.path);
    if (request.method !== 'POST' || match?.[1] !== id) return { status: 404, body: { message: 'Unknown Webhook', code: 10015 } };
    if (match[2] !== token) return { status: 401, body: { message: 'Invalid Webhook Token', code: 50027 } };
    const body = request.json as DiscordReceiver['messages'][number] | undefined;
    const problems = isJson(request) ? problemsOf(body, bodyFields) : ['content type: must be application/json'];
    const total = (body?.embeds ?? []).reduce((n, embed) => n + embedLength(embed), 0);
    if (total > 6000) problems.push(`embeds: ${total} characters, more than the 6000 of a message`);
    if (problems.length > 0) return { status: 400, body: { code: 50035, message: 'Invalid Form Body', errors: problems } };
    if (!body!.content && !body!.embeds?.length) return { status: 400, body: { code: 50006, message: 'Cannot send an empty message' } };
    messages.push(body!);
    const wait = request.query.get('wait') === 'true';
    return wait ? { status: 200, body: { id: String(Date.now()), type: 0, channel_id: '1', webhook_id: id, timestamp: new Date().toISOString(), ...body } } : { status: 204 };
  }

  const receiver = await startServiceReceiver(handle);
  return Object.assign(receiver, {
    url: `${receiver.base}/api/webhooks/${id}/${token}`,
    messages,
    rateLimitNext: (seconds: number) =>
      receiver.failNext({
        status: 429,
        headers: { 'retry-after': String(Math.ceil(seconds)), 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': String(seconds), 'x-ratelimit-bucket': 'abcd1234' },
        body: { message: 'You are being rate limited.', retry_after: seconds, global: false },
      }),
  });
}
