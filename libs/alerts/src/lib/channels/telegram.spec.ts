// The Telegram channel against a Bot API receiver that parses the HTML as Telegram does: the
// subject in bold, characters of the error text escaped, within 4,096 characters however long
// the error; `parameters.retry_after` honoured; a wrong chat or token refused for good, and
// the token, which is in the URL's path, in no error.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTelegramReceiver, type TelegramReceiver } from '../../../../../tools/testing/services/telegram.js';
import { incident, incidentDelivery } from '../../../test/deliveries.js';
import { createTelegramChannel } from './telegram.js';

let telegram: TelegramReceiver;

beforeAll(async () => {
  telegram = await startTelegramReceiver();
});

afterAll(() => telegram?.close());

const channel = (settings: { token?: string; chatId?: number } = {}) =>
  createTelegramChannel('chat', { type: 'telegram', token: settings.token ?? telegram.token, chatId: settings.chatId ?? telegram.chatId, apiUrl: telegram.apiUrl }, 5000);

describe('the Telegram channel', () => {
  it('sends the subject in bold and the facts, the markup of an error text escaped', async () => {
    const receipt = await channel().send(incidentDelivery('down', { ...incident, errorMessage: 'expected <html> & got </body>' }), AbortSignal.timeout(5000));
    expect(receipt.answer).toMatch(/^HTTP 200 \{"ok":true,"result":\{"message_id":1,/);
    const [sent] = telegram.messages;
    expect(sent!.body).toMatchObject({ chat_id: telegram.chatId, parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
    expect(String(sent!.body.text)).toMatch(/^<b>shop is down: timeout<\/b>\n/);
    expect(sent!.shown).toContain('What failed: timeout (ETIMEDOUT: expected <html> & got </body>) from eu-west, us-east.');
  });

  it('fits a huge error text in one message of 4,096 characters; comes back when a 429 says', async () => {
    await channel().send(incidentDelivery('down', { ...incident, errorMessage: '<'.repeat(10_000) }), AbortSignal.timeout(5000));
    expect(telegram.messages).toHaveLength(2);
    expect([...telegram.messages[1]!.shown].length).toBe(4096);
    telegram.rateLimitNext(4);
    await expect(channel().send(incidentDelivery('resolved'), AbortSignal.timeout(5000))).rejects.toMatchObject({ retriable: true, retryAfterMs: 4000, message: 'telegram chat: answered HTTP 429: Too Many Requests: retry after 4' });
  });

  it('is refused for good for a chat it is not in, or another token, and never shows a token', async () => {
    await expect(channel({ chatId: 12345 }).send(incidentDelivery('down'), AbortSignal.timeout(5000))).rejects.toMatchObject({ retriable: false, message: 'telegram chat: answered HTTP 400: Bad Request: chat not found' });
    const other = `${telegram.token.split(':')[0]}:AAwrongwrongwrongwrongwrongwrong`;
    const refused = await channel({ token: other }).send(incidentDelivery('down'), AbortSignal.timeout(5000)).catch((error: unknown) => error as Error);
    expect(refused).toMatchObject({ retriable: false, message: 'telegram chat: answered HTTP 401: Unauthorized' });
    expect(JSON.stringify(refused)).not.toContain('wrongwrong');
  });
});
