#!/usr/bin/env node
// sitewatch: one command over the services, all of them in one process, a starter config.
import { runSitewatch } from './sitewatch.js';

void runSitewatch(process.argv.slice(2));
