// From options to a postgres.js client: TLS the way libpq names it (`sslmode`,
// `sslrootcert`, which postgres.js does not fully understand by itself: it ignores
// `sslrootcert` and would send it to the server as a setting), files read once, here.
import fs from 'node:fs';
import tls, { type ConnectionOptions as TlsOptions, type PeerCertificate } from 'node:tls';
import postgres from 'postgres';
import { SinkError } from './errors.js';
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

type ReadFile = (file: string) => string;

// libpq TLS parameters: the sink handles the first two; the others would reach the server as settings.
const tlsParameters = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'sslpassword', 'sslcrl', 'ssl'];

function invalid(path: string, message: string): never {
  throw new SinkError('ERR_SINK_INVALID_OPTIONS', `${path} ${message}`);
}

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

function urlMode(value: string | null): SslMode | undefined {
  if (value === null) return undefined;
  // libpq's `prefer` and `allow` fall back to plain text silently: not offered.
  if (!(sslModes as readonly string[]).includes(value)) invalid('url', `sslmode must be one of: ${sslModes.join(', ')}`);
  return value as SslMode;
}

function readCa(file: string, path: string, readFile: ReadFile): string {
  try {
    return readFile(file);
  } catch (cause) {
    throw new SinkError('ERR_SINK_INVALID_OPTIONS', `${path} cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'}): ${file}`, { cause });
  }
}

/**
 * Resolves the URL and `ssl` option into what postgres.js needs. `ssl` wins over the
 * URL's parameters only when they agree: a conflict is a config mistake and throws.
 */
export function planConnection(url: string, ssl: ResolvedSinkOptions['ssl'], readFile: ReadFile = (f) => fs.readFileSync(f, 'utf8')): ConnectionPlan {
  const { base, params } = splitUrl(url);
  const fromUrl = urlMode(params.get('sslmode'));
  if (ssl?.mode !== undefined && fromUrl !== undefined && ssl.mode !== fromUrl) invalid('ssl.mode', "differs from the URL's sslmode");
  const rootCert = params.get('sslrootcert');
  if (rootCert !== null && (ssl?.ca !== undefined || ssl?.caFile !== undefined)) invalid('ssl', "sets a CA and so does the URL's sslrootcert: keep one");
  if (params.has('sslcert') || params.has('sslkey')) invalid('url', 'client certificates (sslcert, sslkey) are not supported');
  const hasCa = ssl?.ca !== undefined || ssl?.caFile !== undefined || (rootCert !== null && rootCert !== 'system');
  // libpq: sslrootcert=system means verify-full against the system CAs.
  const mode = ssl?.mode ?? fromUrl ?? (rootCert === 'system' ? 'verify-full' : hasCa ? 'verify-full' : 'disable');
  for (const name of tlsParameters) params.delete(name);
  const query = params.toString();
  const plan = { url: query ? `${base}?${query}` : base, mode, display: describeUrl(url) };
  if (mode === 'disable') return { ...plan, ssl: false };
  if (mode === 'require') return { ...plan, ssl: { rejectUnauthorized: false } };
  const ca = ssl?.ca ?? (ssl?.caFile !== undefined ? readCa(ssl.caFile, 'ssl.caFile', readFile) : undefined) ?? (hasCa ? readCa(rootCert!, 'url sslrootcert', readFile) : undefined);
  const verify: TlsOptions = { rejectUnauthorized: true, ...(ca === undefined ? {} : { ca }) };
  // verify-ca checks the chain only; verify-full also the host name.
  return { ...plan, ssl: { ...verify, checkServerIdentity: mode === 'verify-ca' ? () => undefined : checkHosts(urlHosts(url)) } };
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
