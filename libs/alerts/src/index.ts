export { createAlertingSink, type AlertingSink, type AlertingSinkOptions } from './lib/alerting-sink.js';
export { createAlerts, type Alerts } from './lib/alerts.js';
export { AlertsError, alertsErrorCodes, type AlertsErrorCode } from './lib/errors.js';
export {
  evaluateTarget,
  staleAfterIntervals,
  type Check,
  type Failure,
  type IncidentDraft,
  type IncidentKind,
  type LocationState,
  type Phases,
  type Slowness,
  type TargetState,
  type Thresholds,
  type Transition,
} from './lib/evaluate.js';
export { incidentColumns, type IncidentRecord } from './lib/incident.js';
export type { NotifierStats } from './lib/notifier.js';
export { readOutbox, type ChannelError, type OpenIncident, type OutboxReport, type UnsentDelivery } from './lib/outbox-report.js';
export { sendTestNotification, type TestNotificationOptions } from './lib/channels/test-notification.js';
export {
  alertsOptionsSchema,
  certificateDefaults,
  checkAlertsOptions,
  notifierDefaults,
  type AlertsOptions,
  type ChannelOptions,
  type ChannelSettings,
  type DiscordChannel,
  type EmailChannel,
  type MaintenanceWindow,
  type NotifierOptions,
  type NtfyChannel,
  type OpsgenieChannel,
  type PagerDutyChannel,
  type RuleOverride,
  type RuleSettings,
  type CertificateSettings,
  type SlackChannel,
  type TeamsChannel,
  type TelegramChannel,
  type WebhookChannel,
} from './lib/options.js';
export { describeNotification } from './lib/describe.js';
export { isIncidentPayload, phaseNames, slowPayload, type CertificatePayload, type SlowPayload, type IncidentPayload, type NotificationKind, type NotificationPayload } from './lib/payload.js';
export { signature, signatureV2 } from './lib/channels/webhook.js';
