// From options to a postgres.js client: TLS the way libpq names it (`sslmode`,
// `sslrootcert`, which postgres.js does not fully understand by itself: it ignores
// `sslrootcert` and would send it to the server as a setting), files read once, here.
import tls, { type ConnectionOptions as TlsOptions, type PeerCertificate } from 'node:tls';
import { readPemFile, type Problem } from '@sitewatch/schema';
import postgres from 'postgres';
import { sslModes, type ResolvedSinkOptions, type SslMode } from './options.js';

/** How the sink connects: the URL without TLS parameters, and the TLS settings to use. */
export interface ConnectionPlan {
  /** The URL with `sslmode`, `sslrootcert` and the other libpq-only TLS parameters removed. */
  url: string;
  mode: SslMode;
  /** What postgres.js gets as `ssl`. */
  ssl: false | TlsOptions;
  /** `host:port/database` for logs: no user, no password, no parameters. */
  display: string;
}

// libpq TLS parameters: the sink handles the first two; the others would reach the server as settings.
const tlsParameters = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'sslpassword', 'sslcrl', 'ssl'];

function splitUrl(url: string): { base: string; params: URLSearchParams } {
  const at = url.indexOf('?');
  return at === -1 ? { base: url, params: new URLSearchParams() } : { base: url.slice(0, at), params: new URLSearchParams(url.slice(at + 1)) };
}

/** `host:port/database` of a URL, for logs and messages. */
export function describeUrl(url: string): string {
  const rest = splitUrl(url).base.replace(/^postgres(ql)?:\/\//, '');
  // Everything up to the last '@' is user and password.
  return rest.slice(rest.lastIndexOf('@') + 1) || '(default host)';
}

/** The host names or addresses of a URL (several for a multi-host URL), without ports or brackets. */
export function urlHosts(url: string): string[] {
  const rest = splitUrl(url).base.replace(/^postgres(ql)?:\/\//, '');
  const afterUser = rest.slice(rest.lastIndexOf('@') + 1);
  const authority = afterUser.split('/')[0] ?? '';
  return authority
    .split(',')
    .map((hostPort) => (hostPort.startsWith('[') ? hostPort.slice(1, hostPort.indexOf(']')) : hostPort.replace(/:\d*$/, '')))
    .map((host) => decodeURIComponent(host))
    .filter((host) => host !== '');
}

// postgres.js gives Node no server name for an IP address, and Node then checks the
// certificate against "localhost"; check it against the host(s) of the URL instead.
function checkHosts(hosts: string[]): (servername: string, cert: PeerCertificate) => Error | undefined {
  return (servername, cert) => {
    let failure: Error | undefined;
    for (const host of hosts.length > 0 ? hosts : [servername]) {
      failure = tls.checkServerIdentity(host, cert);
      if (failure === undefined) return undefined;
    }
    return failure;
  };
}

/** The URL's TLS parameters, checked against the `ssl` option; a conflict is a config mistake. */
function tlsProblems(params: URLSearchParams, ssl: ResolvedSinkOptions['ssl']): Problem[] {
  const problems: Problem[] = [];
  const fromUrl = params.get('sslmode');
  // libpq's `prefer` and `allow` fall back to plain text silently: not offered.
  if (fromUrl !== null && !(sslModes as readonly string[]).includes(fromUrl)) problems.push({ path: '/url', message: `sslmode must be one of: ${sslModes.join(', ')}` });
  if (ssl?.mode !== undefined && fromUrl !== null && ssl.mode !== fromUrl) problems.push({ path: '/ssl/mode', message: "differs from the URL's sslmode" });
  if (params.has('sslrootcert') && (ssl?.ca !== undefined || ssl?.caFile !== undefined)) problems.push({ path: '/ssl', message: "sets a CA and so does the URL's sslrootcert: keep one" });
  if (params.has('sslcert') || params.has('sslkey')) problems.push({ path: '/url', message: 'client certificates (sslcert, sslkey) are not supported' });
  return problems;
}

/** The CA to trust: inline, from `ssl.caFile`, or from the URL's `sslrootcert` (read now). */
function readCa(ssl: ResolvedSinkOptions['ssl'], rootCert: string | null): { ca?: string; problems: Problem[] } {
  if (ssl?.ca !== undefined) return { ca: ssl.ca, problems: [] };
  const read = ssl?.caFile !== undefined ? readPemFile(ssl.caFile, '/ssl/caFile') : rootCert !== null && rootCert !== 'system' ? readPemFile(rootCert, '/url') : undefined;
  if (read === undefined) return { problems: [] };
  if ('problem' in read) return { problems: [read.problem.path === '/url' ? { path: '/url', message: `sslrootcert: ${read.problem.message}` } : read.problem] };
  return { ca: read.text, problems: [] };
}

// A CA is there to verify the server. Under disable or require it would go unused, and the
// config would seem to say the server is verified when it is not (libpq, given a root
// certificate under require, verifies the chain instead: not what "require" says either).
function unusedCa(ssl: ResolvedSinkOptions['ssl'], rootCert: string | null, mode: SslMode): Problem[] {
  if (mode !== 'disable' && mode !== 'require') return [];
  const message = `is not used with sslmode ${mode}, which does not verify the server: set mode verify-full (or verify-ca), or remove it`;
  if (ssl?.caFile !== undefined) return [{ path: '/ssl/caFile', message }];
  if (ssl?.ca !== undefined) return [{ path: '/ssl/ca', message }];
  return rootCert === null ? [] : [{ path: '/url', message: `sslrootcert ${message}` }];
}

/**
 * Resolves the URL and `ssl` option into what postgres.js needs, reading the CA file (which
 * must hold PEM). `ssl` wins over the URL's parameters only when they agree: a conflict, or a
 * CA under a mode that would not use it, is a problem, by JSON Pointer into the sink's
 * options (`/url`, `/ssl/...`).
 */
export function planConnection(url: string, ssl: ResolvedSinkOptions['ssl']): { plan?: ConnectionPlan; problems: Problem[] } {
  const { base, params } = splitUrl(url);
  const problems = tlsProblems(params, ssl);
  if (problems.length > 0) return { problems };
  const rootCert = params.get('sslrootcert');
  const hasCa = ssl?.ca !== undefined || ssl?.caFile !== undefined || (rootCert !== null && rootCert !== 'system');
  // libpq: sslrootcert=system means verify-full against the system CAs.
  const mode = ssl?.mode ?? (params.get('sslmode') as SslMode | null) ?? (rootCert === 'system' || hasCa ? 'verify-full' : 'disable');
  const unused = unusedCa(ssl, rootCert, mode);
  if (unused.length > 0) return { problems: unused };
  for (const name of tlsParameters) params.delete(name);
  const query = params.toString();
  const plan = { url: query ? `${base}?${query}` : base, mode, display: describeUrl(url) };
  if (mode === 'disable') return { plan: { ...plan, ssl: false }, problems };
  if (mode === 'require') return { plan: { ...plan, ssl: { rejectUnauthorized: false } }, problems };
  const { ca, problems: caProblems } = readCa(ssl, rootCert);
  if (caProblems.length > 0) return { problems: caProblems };
  const verify: TlsOptions = { rejectUnauthorized: true, ...(ca === undefined ? {} : { ca }) };
  // verify-ca checks the chain only; verify-full also the host name.
  return { plan: { ...plan, ssl: { ...verify, checkServerIdentity: mode === 'verify-ca' ? () => undefined : checkHosts(urlHosts(url)) } }, problems };
}

/** Opens a postgres.js client for the sink (lazily: the first query connects). */
export function openClient(plan: ConnectionPlan, options: Pick<ResolvedSinkOptions, 'poolSize' | 'connectTimeoutMs' | 'applicationName'>): postgres.Sql {
  return postgres(plan.url, {
    ssl: plan.ssl,
    max: options.poolSize,
    connect_timeout: options.connectTimeoutMs / 1000,
    idle_timeout: 60,
    // Everything postgres.js would otherwise take from PG* variables is set here.
    prepare: true,
    onnotice: () => undefined,
    connection: { application_name: options.applicationName },
  });
}
