// A Microsoft Teams Workflows webhook ("When a Teams webhook request is received"), as a test
// receiver: POST to the workflow's URL, whose `sig` query parameter is the credential (else
// 401 `{error: {code: "DirectApiAuthorizationRequired", message}}`); a message of Adaptive
// Cards (learn.microsoft.com, "Create and send messages"; adaptivecards.io for the card: the
// elements and the values of their colour, size and weight); at most 28 KB (413 past it);
// 202 with no body. Every card it takes is kept as a posted message.
import { randomUUID } from 'node:crypto';
import { httpUrl, problemsOf, type Fields } from './contract.js';
import { isJson, startServiceReceiver, type Answer, type ServiceReceiver, type ServiceRequest } from './receiver.js';

const textBlock: Fields = {
  type: { type: 'string', required: true, enum: ['TextBlock'] },
  text: { type: 'string', required: true },
  color: { type: 'string', enum: ['Default', 'Dark', 'Light', 'Accent', 'Good', 'Warning', 'Attention'] },
  size: { type: 'string', enum: ['Default', 'Small', 'Medium', 'Large', 'ExtraLarge'] },
  weight: { type: 'string', enum: ['Default', 'Lighter', 'Bolder'] },
  spacing: { type: 'string', enum: ['None', 'Small', 'Default', 'Medium', 'Large', 'ExtraLarge', 'Padding'] },
  wrap: { type: 'boolean' },
  isSubtle: { type: 'boolean' },
};
const openUrl: Fields = { type: { type: 'string', required: true, enum: ['Action.OpenUrl'] }, title: { type: 'string', required: true }, url: { type: 'string', required: true, pattern: httpUrl } };
const card: Fields = {
  $schema: { type: 'string' },
  type: { type: 'string', required: true, enum: ['AdaptiveCard'] },
  version: { type: 'string', required: true, pattern: /^1\.[0-5]$/ },
  body: { type: 'array', required: true, min: 1, items: { type: 'object', fields: textBlock } },
  actions: { type: 'array', items: { type: 'object', fields: openUrl } },
  msteams: { type: 'object' },
};
const message: Fields = {
  type: { type: 'string', required: true, enum: ['message'] },
  attachments: {
    type: 'array',
    required: true,
    min: 1,
    items: {
      type: 'object',
      fields: {
        contentType: { type: 'string', required: true, enum: ['application/vnd.microsoft.card.adaptive'] },
        contentUrl: { type: ['string', 'null'] },
        content: { type: 'object', required: true, fields: card },
      },
    },
  },
};

/** A Teams Workflows webhook on loopback. */
export interface TeamsReceiver extends ServiceReceiver {
  /** The workflow's URL (with its `sig`). */
  url: string;
  /** Its `sig`. */
  sig: string;
  /** The cards posted, in order. */
  cards: { body: { text: string; color?: string }[]; actions?: { url: string }[] }[];
}

const error = (status: number, code: string, text: string): Answer => ({ status, body: { error: { code, message: text } } });

/** Starts the receiver. */
export async function startTeamsReceiver(): Promise<TeamsReceiver> {
  const sig = randomUUID().replaceAll('-', '');
  const path = `/workflows/${randomUUID().replaceAll('-', '')}/triggers/manual/paths/invoke`;
  const cards: TeamsReceiver['cards'] = [];

  function handle(request: ServiceRequest): Answer {
    if (request.method !== 'POST' || request.path !== path) return error(404, 'WorkflowNotFound', 'The workflow could not be found.');
    if (request.query.get('sig') !== sig) return error(401, 'DirectApiAuthorizationRequired', 'The request must be authenticated only by Shared Access scheme.');
    if (Buffer.byteLength(request.body) > 28 * 1024) return error(413, 'MessageSizeExceeded', 'The message is larger than 28 KB.');
    const problems = isJson(request) ? problemsOf(request.json, message) : ['the content type must be application/json'];
    if (problems.length > 0) return error(400, 'InvalidRequestContent', problems.join('; '));
    for (const attachment of (request.json as { attachments: { content: TeamsReceiver['cards'][number] }[] }).attachments) cards.push(attachment.content);
    return { status: 202 };
  }

  const receiver = await startServiceReceiver(handle);
  return Object.assign(receiver, { url: `${receiver.base}${path}?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${sig}`, sig, cards });
}
