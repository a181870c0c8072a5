// Telegram's Bot API (core.telegram.org/bots/api, "Making requests", "sendMessage",
// "Formatting options", "ResponseParameters"), as a test receiver: POST /bot<token>/sendMessage
// with a JSON body; `{ok: true, result: Message}`, or `{ok: false, error_code, description,
// parameters?}` with the same HTTP status: 401 Unauthorized for another token, 404 for another
// method, 400 "Bad Request: chat not found" for a chat the bot is not in, 400 "Bad Request:
// message is too long" past 4,096 characters after the HTML is parsed, 400 "can't parse
// entities" for a tag HTML mode does not know. `rateLimitNext()` answers as Telegram does past
// its limits: 429 with `parameters.retry_after`.
import { randomInt } from 'node:crypto';
import { problemsOf, type Fields } from './contract.js';
import { isJson, startServiceReceiver, type Answer, type ServiceReceiver, type ServiceRequest } from './receiver.js';

const sendMessageFields: Fields = {
  chat_id: { type: ['integer', 'string'], required: true },
  message_thread_id: { type: 'integer' },
  text: { type: 'string', required: true, min: 1 },
  parse_mode: { type: 'string', enum: ['HTML', 'MarkdownV2', 'Markdown'] },
  entities: { type: 'array' },
  link_preview_options: { type: 'object', fields: { is_disabled: { type: 'boolean' }, url: { type: 'string' }, prefer_small_media: { type: 'boolean' }, prefer_large_media: { type: 'boolean' }, show_above_text: { type: 'boolean' } } },
  disable_notification: { type: 'boolean' },
  protect_content: { type: 'boolean' },
  reply_markup: { type: 'object' },
};

const tags = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'a', 'code', 'pre', 'blockquote', 'tg-spoiler', 'span', 'tg-emoji']);
const entities: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"' };

/** The text of an HTML-mode message as Telegram shows it, or the parse error it answers. */
export function parseHtml(text: string): { text: string } | { error: string } {
  for (const match of text.matchAll(/<\/?([a-z-]*)[^>]*>/g)) {
    if (!tags.has(match[1]!)) return { error: `Bad Request: can't parse entities: Unsupported start tag "${match[1]}" at byte offset ${match.index}` };
  }
  if (/<(?![a-z/])/.test(text.replace(/<\/?[a-z-]+[^>]*>/g, ''))) return { error: "Bad Request: can't parse entities: Unexpected character" };
  return { text: text.replace(/<\/?[a-z-]+[^>]*>/g, '').replace(/&(lt|gt|amp|quot);/g, (entity) => entities[entity]!) };
}

/** A Telegram Bot API on loopback. */
export interface TelegramReceiver extends ServiceReceiver {
  /** The API base to configure (`apiUrl`). */
  apiUrl: string;
  /** The bot's token. */
  token: string;
  /** A chat the bot is in. */
  chatId: number;
  /** The messages sent, in order: the body, and the text as shown. */
  messages: { body: Record<string, unknown>; shown: string }[];
  /** Answers the next request with Telegram's 429, asking to come back in `seconds`. */
  rateLimitNext(seconds: number): void;
}

const failure = (code: number, description: string, parameters?: object): Answer => ({ status: code, body: { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) } });

/** Starts the receiver. */
export async function startTelegramReceiver(): Promise<TelegramReceiver> {
  const token = `${randomInt(100_000, 999_999_999)}:AA${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url')}`;
  const chatId = -1_000_000_000_000 - randomInt(1, 1_000_000);
  const messages: TelegramReceiver['messages'] = [];

  function handle(request: ServiceRequest): Answer {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(request.path);
    if (match?.[1] !== token) return failure(401, 'Unauthorized');
    if (match[2] !== 'sendMessage') return failure(404, 'Not Found');
    if (request.method !== 'POST' || !isJson(request)) return failure(400, 'Bad Request: message text is empty');
    const problems = problemsOf(request.json, sendMessageFields);
    if (problems.length > 0) return failure(400, `Bad Request: ${problems.join('; ')}`);
    const body = request.json as { chat_id: number | string; text: string; parse_mode?: string };
    if (String(body.chat_id) !== String(chatId)) return failure(400, 'Bad Request: chat not found');
    const parsed = body.parse_mode === 'HTML' ? parseHtml(body.text) : { text: body.text };
    if ('error' in parsed) return failure(400, parsed.error);
    if ([...parsed.text].length > 4096) return failure(400, 'Bad Request: message is too long');
    messages.push({ body: request.json as Record<string, unknown>, shown: parsed.text });
    return { status: 200, body: { ok: true, result: { message_id: messages.length, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'supergroup', title: 'ops' }, text: parsed.text } } };
  }

  const receiver = await startServiceReceiver(handle);
  return Object.assign(receiver, {
    apiUrl: receiver.base,
    token,
    chatId,
    messages,
    rateLimitNext: (seconds: number) => receiver.failNext(failure(429, `Too Many Requests: retry after ${seconds}`, { retry_after: seconds })),
  });
}
