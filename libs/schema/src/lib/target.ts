// A target: one website to check, and the settings of its checks. The checker compiles it
// (defaults, RE2); the target registry carries it as a record (target-codec.ts).

/** HTTP methods a check can use. */
export type CheckMethod = 'GET' | 'HEAD';

/** Settings of a target that can also be given once as defaults for all targets. */
export interface TargetSettings {
  /** HTTP method; HEAD reads no body, so it cannot have regexes. Default `GET`. */
  method?: CheckMethod;
  /** Request headers (e.g. `authorization`); never logged nor put in results. Default none. */
  headers?: Record<string, string>;
  /** Time between the scheduled starts of two checks, ms. Default 60_000, at least 1_000. */
  intervalMs?: number;
  /** Budget of the whole check, DNS to the last body byte and redirects included, ms. Default 10_000; at most `intervalMs`. */
  timeoutMs?: number;
  /** Accepted status codes of the final response: codes or inclusive ranges (`'200-299'`, `'404'`). Default `['200-399']`. */
  acceptStatus?: string[];
  /** Follow redirects; when false a 3xx is the final response. Default true. */
  followRedirects?: boolean;
  /** Redirects followed before the check fails with reason `redirects`. Default 5. */
  maxRedirects?: number;
  /** Regular expression (RE2 syntax: no backreferences or lookarounds; flags inline like `(?i)`) the UTF-8 body must match. Default none. */
  mustMatch?: string;
  /** Regular expression (RE2 syntax) the UTF-8 body must not match. Default none. */
  mustNotMatch?: string;
  /** Body bytes read after decompression; a longer body fails with `body_too_large`. Default 1_048_576 (1 MiB). */
  maxBodyBytes?: number;
  /** Verify the server's certificate chain and host name. Default true. */
  tlsVerify?: boolean;
}

/** One website to check. */
export interface Target extends TargetSettings {
  /** Stable id (letters, digits, `._:/-`; at most 128): the Kafka key and the database key. */
  id: string;
  /** http or https URL, without credentials (put them in `headers`, which are never logged). */
  url: string;
}

/** The major version of the target record (the registry topic's value) this package writes and reads. */
export const targetSchemaVersion = 1;
