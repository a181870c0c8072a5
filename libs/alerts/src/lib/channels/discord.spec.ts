// The Discord channel against a webhook receiver that checks the embed limits: one embed with
// the subject, the facts and the colour of the news, no mention allowed; a huge error text cut
// to fit (never two messages); Discord's 429 (`retry_after` in the body) honoured; a wrong
// token refused for good, never shown.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDiscordReceiver, type DiscordReceiver } from '../../../../../tools/testing/services/discord.js';
import { incident, incidentDelivery } from '../../../test/deliveries.js';
import { createDiscordChannel } from './discord.js';

let discord: DiscordReceiver;

beforeAll(async () => {
  discord = await startDiscordReceiver();
});

afterAll(() => discord?.close());

const channel = (url = discord.url) => createDiscordChannel('chat', { type: 'discord', url, username: 'sitewatch' }, 5000);

describe('the Discord channel', () => {
  it('posts one embed: the subject, the facts, the colour of the news, the status page as its link; mentions off', async () => {
    const receipt = await channel().send(incidentDelivery('down'), AbortSignal.timeout(5000));
    expect(receipt.answer).toMatch(/^HTTP 200 \{"id":"\d+"/);
    expect(discord.messages[0]).toEqual({
      username: 'sitewatch',
      allowed_mentions: { parse: [] },
      embeds: [
        {
          title: 'shop is down: timeout',
          description: expect.stringContaining('What failed: timeout (ETIMEDOUT: no answer within 10 s) from eu-west, us-east.'),
          url: 'https://status.example.test/',
          color: 0xd93025,
          timestamp: '2026-11-27T10:03:00.000Z',
          footer: { text: 'sitewatch' },
        },
      ],
    });
    expect(discord.log[0]!.request.query.get('wait')).toBe('true');
  });

  it('cuts a huge error text to fit one embed; comes back when a 429 says', async () => {
    await channel().send(incidentDelivery('down', { ...incident, errorMessage: 'x'.repeat(10_000) }), AbortSignal.timeout(5000));
    expect(discord.messages).toHaveLength(2);
    expect(discord.messages[1]!.embeds[0]!.description).toHaveLength(4096);
    discord.rateLimitNext(1.5);
    await expect(channel().send(incidentDelivery('resolved'), AbortSignal.timeout(5000))).rejects.toMatchObject({ retriable: true, retryAfterMs: 1500, message: 'discord chat: answered HTTP 429: You are being rate limited.' });
  });

  it('is refused for good with a wrong token, which no error shows', async () => {
    const token = discord.url.split('/').pop()!;
    const wrong = discord.url.replace(token, token.split('').reverse().join(''));
    const refused = await channel(wrong).send(incidentDelivery('down'), AbortSignal.timeout(5000)).catch((error: unknown) => error as Error);
    expect(refused).toMatchObject({ retriable: false, message: 'discord chat: answered HTTP 401: Invalid Webhook Token' });
  });
});
