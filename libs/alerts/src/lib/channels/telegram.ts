// A Telegram bot: the Bot API's sendMessage to one chat, as HTML (the subject in bold), with
// no link preview, within the 4,096 characters of a message. The token is in the request's
// path, so it is scrubbed from every error and answer (and never logged with a URL). A 429
// says when to come back (`parameters.retry_after`, seconds). No idempotency key: a repeat
// shows twice (README).
import type { TelegramChannel } from '../channel-options.js';
import type { Channel, Delivery } from './channel.js';
import { receiptOf, request, type HttpAnswer } from './http.js';
import { describeDelivery } from './notice.js';
import { cut } from './text.js';

/** The Bot API server Telegram runs. */
export const telegramUrl = 'https://api.telegram.org';

const escape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** The sendMessage body of a delivery: at most 4,096 characters as Telegram counts them (after the markup is parsed). */
export function telegramMessage(delivery: Delivery, options: Pick<TelegramChannel, 'chatId' | 'messageThreadId'>): Record<string, unknown> {
  const { subject, lines } = describeDelivery(delivery);
  const title = cut(subject, 256);
  const text = `<b>${escape(title)}</b>\n${escape(cut(lines.join('\n'), 4096 - [...title].length - 1))}`;
  return {
    chat_id: options.chatId,
    ...(options.messageThreadId === undefined ? {} : { message_thread_id: options.messageThreadId }),
    text,
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
  };
}

interface BotAnswer {
  description?: unknown;
  parameters?: { retry_after?: unknown; migrate_to_chat_id?: unknown };
}

/** The Bot API's `description`, and the chat's new id when a group became a supergroup. */
function errorText(answer: HttpAnswer): string | undefined {
  const body = answer.json as BotAnswer | undefined;
  if (typeof body?.description !== 'string') return answer.text.split('\n')[0];
  const moved = body.parameters?.migrate_to_chat_id;
  return typeof moved === 'number' ? `${body.description} (set chatId to ${moved})` : body.description;
}

function retryAfterMs(answer: HttpAnswer): number | undefined {
  const seconds = (answer.json as BotAnswer | undefined)?.parameters?.retry_after;
  return typeof seconds === 'number' && seconds >= 0 ? seconds * 1000 : undefined;
}

/** A Telegram channel. */
export function createTelegramChannel(name: string, options: TelegramChannel, timeoutMs: number): Channel {
  const url = `${(options.apiUrl ?? telegramUrl).replace(/\/+$/, '')}/bot${options.token}/sendMessage`;
  const secrets = [options.token];
  return {
    name,
    type: 'telegram',
    timeoutMs,
    async send(delivery, signal) {
      const body = JSON.stringify(telegramMessage(delivery, options));
      return receiptOf(await request({ url, body, signal, what: `telegram ${name}`, secrets, errorText, retryAfterMs }), secrets);
    },
    close: async () => undefined,
  };
}
