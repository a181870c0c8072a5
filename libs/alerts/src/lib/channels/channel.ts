// A channel delivers one notification; the notifier calls it for each delivery it claims.
import type { NotificationPayload } from '../payload.js';

/** One delivery attempt's input. */
export interface Delivery {
  /** Stable across the attempts of one notification to one channel. */
  idempotencyKey: string;
  payload: NotificationPayload;
  /** The notification's JSON exactly as stored: the webhook body. */
  body: string;
  /** 1 for the first attempt. */
  attempt: number;
}

/** A configured channel. */
export interface Channel {
  name: string;
  type: 'webhook' | 'slack' | 'email';
  /** Delivers or rejects (an AlertsError ERR_ALERTS_DELIVERY, never naming a URL or a secret); gives up when `signal` aborts. */
  send(delivery: Delivery, signal: AbortSignal): Promise<void>;
  /** Releases what it holds (SMTP connections). */
  close(): Promise<void>;
}
