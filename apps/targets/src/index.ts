// What the `sitewatch` command (apps/cli) runs of sitewatch-targets: its command line.
export { targetsCommand } from './main.js';
