// What the `sitewatch` command (apps/cli) runs of the status service: its command line, and
// the service itself for `sitewatch all`.
export { statusCommand } from './main.js';
export { loadStatusConfig, statusSections, type StatusConfig } from './config.js';
export { createStatusService, type StatusService } from './service.js';
