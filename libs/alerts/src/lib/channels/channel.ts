// A channel delivers one notification; the notifier calls it for each delivery it claims.
import type { ChannelOptions } from '../channel-options.js';
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
  /** A test notification (`sitewatch-alerts test`): marked as one, and nothing left open at the service. */
  test?: boolean;
}

/** What came of a delivery that did not fail. */
export interface DeliveryReceipt {
  /** What the service answered (`HTTP 202 {"status":"success",...}`, `250 2.0.0 OK`), cut and scrubbed of secrets; or why nothing was sent. */
  answer: string;
  /** False when the event means nothing to this service (a reminder to PagerDuty, which reminds by itself): nothing was sent. */
  sent: boolean;
}

/** A configured channel. */
export interface Channel {
  name: string;
  type: ChannelOptions['type'];
  /** Budget of one attempt, ms (the channel's `timeoutMs`, else the notifier's `sendTimeoutMs`). */
  timeoutMs: number;
  /**
   * Delivers, or rejects with an AlertsError ERR_ALERTS_DELIVERY that never names a URL or a
   * secret: retriable (with `retryAfterMs` when the service said when), or not when the
   * service refused the request for good. Gives up when `signal` aborts.
   */
  send(delivery: Delivery, signal: AbortSignal): Promise<DeliveryReceipt>;
  /** Releases what it holds (SMTP connections). */
  close(): Promise<void>;
}
