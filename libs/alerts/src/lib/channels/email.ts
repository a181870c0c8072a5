// Email over SMTP with nodemailer: TLS from the first byte (`secure`) or STARTTLS (required
// unless turned off), an optional CA file, and the delivery's idempotency key as the
// Message-ID, so a mail client shows a repeated attempt once. A permanent refusal (an SMTP
// 5xx reply: a bad login, a rejected recipient) is not tried again; the rest is.
import fs from 'node:fs';
import nodemailer from 'nodemailer';
import { AlertsError } from '../errors.js';
import type { EmailChannel } from '../channel-options.js';
import { isIncidentPayload } from '../payload.js';
import type { Channel } from './channel.js';
import { describeDelivery } from './notice.js';
import { cut, oneLine } from './text.js';

/** The SMTP server's answer or the socket's code, never a credential (nodemailer puts none in its messages). */
function reason(error: unknown): string {
  const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
  const message = error instanceof Error ? error.message.split('\n')[0]!.slice(0, 200) : String(error);
  return [typeof code === 'string' ? code : '', typeof responseCode === 'number' ? String(responseCode) : '', message].filter(Boolean).join(' ');
}

/** An email channel; `timeoutMs` bounds connecting, the greeting and each exchange (the whole attempt is bounded by the notifier's signal). */
export function createEmailChannel(name: string, options: EmailChannel, timeoutMs: number): Channel {
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port ?? (options.secure ? 465 : 587),
    secure: options.secure ?? false,
    requireTLS: options.requireTls ?? !options.secure,
    ...(options.username === undefined ? {} : { auth: { user: options.username, pass: options.password ?? '' } }),
    tls: { minVersion: 'TLSv1.2', ...(options.caFile === undefined ? {} : { ca: fs.readFileSync(options.caFile, 'utf8') }) },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
  });
  return {
    name,
    type: 'email',
    timeoutMs,
    async send(delivery, signal) {
      const { subject, lines } = describeDelivery(delivery);
      try {
        const info = (await transport.sendMail({
          from: options.from,
          to: [...options.to],
          subject: `[sitewatch] ${subject}`,
          text: `${lines.join('\n\n')}\n`,
          messageId: `<${delivery.idempotencyKey}@sitewatch>`,
          headers: { 'X-Sitewatch-Event': delivery.payload.event, ...(isIncidentPayload(delivery.payload) ? { 'X-Sitewatch-Incident': String(delivery.payload.incident.id) } : {}) },
          signal,
        })) as { response?: unknown };
        return { answer: cut(oneLine(typeof info.response === 'string' ? info.response : 'accepted'), 300), sent: true };
      } catch (error) {
        const { responseCode } = error as { responseCode?: unknown };
        const permanent = !signal.aborted && typeof responseCode === 'number' && responseCode >= 500;
        throw new AlertsError('ERR_ALERTS_DELIVERY', `email ${name}: ${signal.aborted ? 'timed out' : reason(error)}`, { retriable: !permanent });
      }
    },
    async close() {
      transport.close();
    },
  };
}
