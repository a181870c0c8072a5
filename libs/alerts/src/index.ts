export { createAlertingSink, type AlertingSink, type AlertingSinkOptions } from './lib/alerting-sink.js';
export { createAlerts, type Alerts } from './lib/alerts.js';
export { AlertsError, alertsErrorCodes, type AlertsErrorCode } from './lib/errors.js';
export { evaluateTarget, staleAfterIntervals, type Check, type Failure, type IncidentDraft, type LocationState, type TargetState, type Thresholds, type Transition } from './lib/evaluate.js';
export { incidentColumns, type IncidentRecord } from './lib/incident.js';
export type { NotifierStats } from './lib/notifier.js';
export {
  alertsOptionsSchema,
  certificateDefaults,
  checkAlertsOptions,
  notifierDefaults,
  type AlertsOptions,
  type ChannelOptions,
  type EmailChannel,
  type MaintenanceWindow,
  type NotifierOptions,
  type RuleOverride,
  type RuleSettings,
  type SlackChannel,
  type WebhookChannel,
} from './lib/options.js';
export { describeNotification } from './lib/describe.js';
export { isIncidentPayload, phaseNames, slowPayload, type CertificatePayload, type SlowPayload, type IncidentPayload, type NotificationKind, type NotificationPayload } from './lib/payload.js';
export { signature, signatureV2 } from './lib/channels/webhook.js';
