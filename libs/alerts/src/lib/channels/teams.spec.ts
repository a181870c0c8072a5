// The Teams channel against a Workflows webhook receiver that checks the message and its
// Adaptive Card: the subject in the colour of the news, a block per fact, the status page as
// a button; a card stays within 28 KB however long the error text; a wrong signature refused.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTeamsReceiver, type TeamsReceiver } from '../../../../../tools/testing/services/teams.js';
import { incident, incidentDelivery } from '../../../test/deliveries.js';
import { createTeamsChannel } from './teams.js';
import { testDelivery } from './test-notification.js';

let teams: TeamsReceiver;

beforeAll(async () => {
  teams = await startTeamsReceiver();
});

afterAll(() => teams?.close());

const channel = (url = teams.url) => createTeamsChannel('chat', { type: 'teams', url }, 5000);

describe('the Teams channel', () => {
  it('posts an Adaptive Card: the subject in the colour of the news, the facts, the status page as a button', async () => {
    expect(await channel().send(incidentDelivery('down'), AbortSignal.timeout(5000))).toEqual({ sent: true, answer: 'HTTP 202' });
    await channel().send(incidentDelivery('resolved'), AbortSignal.timeout(5000));
    const [down, resolved] = teams.cards;
    expect(down!.body[0]).toMatchObject({ text: 'shop is down: timeout', color: 'Attention' });
    expect(down!.body.map((block) => block.text)).toContain('What failed: timeout (ETIMEDOUT: no answer within 10 s) from eu-west, us-east.');
    expect(down!.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Status page', url: 'https://status.example.test/' }]);
    expect(resolved!.body[0]).toMatchObject({ text: 'shop is up again after 1 h 12 min', color: 'Good' });
  });

  it('keeps a card with a huge error text within 28 KB, in one message; marks a test', async () => {
    const long = incidentDelivery('down', { ...incident, errorMessage: '✗'.repeat(20_000) });
    await channel().send(long, AbortSignal.timeout(5000));
    expect(teams.cards).toHaveLength(3);
    expect(Buffer.byteLength(teams.log.at(-1)!.request.body)).toBeLessThan(28 * 1024);
    await channel().send(testDelivery(new Date()), AbortSignal.timeout(5000));
    expect(teams.cards[3]!.body.slice(0, 2).map((block) => block.text)).toEqual(['[test] sitewatch-test is down: test', 'This is a test notification from sitewatch-alerts test: nothing is down.']);
  });

  it('is refused for good with a wrong signature, saying so without the URL', async () => {
    const wrong = teams.url.replace(/sig=\w+/, 'sig=0123456789abcdef0123456789abcdef');
    const refused = await channel(wrong).send(incidentDelivery('down'), AbortSignal.timeout(5000)).catch((error: unknown) => error as Error);
    expect(refused).toMatchObject({ retriable: false, message: 'teams chat: answered HTTP 401: DirectApiAuthorizationRequired: The request must be authenticated only by Shared Access scheme.' });
  });
});
