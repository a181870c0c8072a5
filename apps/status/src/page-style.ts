// The page's one stylesheet, and its hash: the Content-Security-Policy (headers.ts) lets the
// page apply this stylesheet and nothing else, so the hash follows every change made here.
import { createHash } from 'node:crypto';
import { levelColors, stateColors, type CurrentState, type UptimeLevel } from '@sitewatch/status';

// Text on amber is dark (white on it reads at 2.1:1, this at 7:1); amber text on white is this
// darker amber (4.9:1).
const ink = '#1f2328';
const amberText = '#9a6700';
const stateBackgrounds = (selector: string) =>
  (['up', 'degraded', 'partial', 'down'] as const satisfies readonly CurrentState[]).map((state) => `${selector}.${state}{background:${stateColors[state]}}`).join('') +
  `${selector}.unknown{background:#57606a}${selector}.degraded{color:${ink}}`;

const css = `
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:${ink};background:#f6f8fa}
header,main,footer{max-width:960px;margin:0 auto;padding:12px 16px}h1{font-size:1.5rem;margin:8px 0}h2{font-size:1.1rem;margin:20px 0 8px}
.summary{padding:12px 16px;border-radius:8px;color:#fff;font-weight:600}${stateBackgrounds('.summary')}
.muted{color:#57606a;font-size:.85rem}.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px 14px;margin:10px 0}
.head{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:baseline;gap:6px}.head h3{margin:0;font-size:1rem;overflow-wrap:anywhere}
.state{font-weight:600;font-size:.85rem;padding:1px 8px;border-radius:10px;color:#fff}${stateBackgrounds('.state')}
.url{margin:2px 0;font-size:.8rem;color:#57606a;overflow-wrap:anywhere}.locs{list-style:none;padding:0;margin:6px 0;display:flex;flex-wrap:wrap;gap:4px 12px;font-size:.85rem}
.locs .down{color:${levelColors.outage}}.locs .degraded{color:${amberText}}.bars{display:flex;gap:1px;height:32px;margin:8px 0 2px}.bars span{flex:1 1 0;min-width:1px;border-radius:1px}
${(Object.keys(levelColors) as UptimeLevel[]).map((level) => `.l-${level}{background-color:${levelColors[level]}}`).join('')}
.slow{background-image:repeating-linear-gradient(135deg,rgba(31,35,40,.6) 0 2px,transparent 2px 5px)}
.axis{display:flex;justify-content:space-between;font-size:.75rem;color:#57606a}.stats{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:.85rem;margin-top:6px}
.cert.expiring{color:${amberText};font-weight:600}.cert.expired{color:${levelColors.outage};font-weight:600}
.incident{border-left:4px solid ${levelColors.outage}}.incident.degraded{border-left-color:${stateColors.degraded}}.incident.resolved{border-left-color:${levelColors.ok}}a{color:#0969da}
.incidents{list-style:none;padding:0}.key{padding:0 6px}
@media (max-width:480px){body{font-size:14px}header,main,footer{padding:8px 10px}.bars{height:26px}}
`;

/** The page's `<style>` element. */
export const pageStyle = `<style>${css}</style>`;

/** The page's one stylesheet as a CSP source (`'sha256-…'`): the only style the page may apply. */
export const pageStyleSource = `'sha256-${createHash('sha256').update(css).digest('base64')}'`;
