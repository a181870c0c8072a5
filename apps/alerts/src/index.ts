// What the `sitewatch` command (apps/cli) runs of sitewatch-alerts: its command line.
export { alertsCommand } from './main.js';
