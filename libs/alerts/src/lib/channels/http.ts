// One JSON POST, for the webhook and Slack channels: fetch with a deadline, no redirects
// followed (a signed request must reach the receiver it was meant for), and errors that
// say what happened without the URL (its path or query may be the credential).
import { AlertsError } from '../errors.js';

/** POSTs `body`; resolves on a 2xx answer, rejects with ERR_ALERTS_DELIVERY otherwise. */
export async function postJson(url: string, body: string, headers: Record<string, string>, signal: AbortSignal, what: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, redirect: 'manual', signal });
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const reason = signal.aborted ? 'timed out' : `could not reach it (${typeof cause?.code === 'string' ? cause.code : 'network error'})`;
    throw new AlertsError('ERR_ALERTS_DELIVERY', `${what}: ${reason}`, { retriable: true });
  }
  // Read (and drop) the answer, so the connection can be reused or closed cleanly.
  await response.arrayBuffer().catch(() => undefined);
  if (response.status < 200 || response.status > 299) throw new AlertsError('ERR_ALERTS_DELIVERY', `${what}: answered HTTP ${response.status}`, { retriable: true });
}
