// A target: one website to check, and the settings of its checks. The checker compiles it
// (defaults, RE2); the target registry carries it as a record (target-codec.ts).

/** HTTP methods a check can use. */
export type CheckMethod = 'GET' | 'HEAD';

/** A JSON value a condition compares with: no object or array. */
export type JsonScalar = string | number | boolean | null;

/**
 * A condition on the JSON body: the value at `pointer` and one operator. Every operator but
 * `absent` fails when nothing is there; `below` and `above` need a JSON number and `matches`
 * a JSON string (a number written as a string is not a number).
 */
export interface JsonCondition {
  /** Where the value is, as a JSON Pointer (RFC 6901): `/checks/db/status`, `/items/0`; `''` is the whole document. */
  pointer: string;
  /** The value is this string, number, boolean or null (same type, same value). */
  equals?: JsonScalar;
  /** The value is there and is not this one. */
  notEquals?: JsonScalar;
  /** The value is one of these. */
  oneOf?: JsonScalar[];
  /** The value is a number less than this. */
  below?: number;
  /** The value is a number greater than this. */
  above?: number;
  /** The value is a string this RE2 regular expression matches (somewhere: anchor it with `^...$`). */
  matches?: string;
  /** The value is there, whatever it is (null too). */
  exists?: true;
  /** Nothing is there. */
  absent?: true;
}

/** A condition on a header of the final response: its name (any case) and one operator. */
export interface HeaderCondition {
  /** The header's name; a header sent several times counts as its values joined by `, `. */
  name: string;
  /** The header is there. */
  present?: true;
  /** The header is not there. */
  absent?: true;
  /** The header's value is exactly this. */
  equals?: string;
  /** The header's value is matched by this RE2 regular expression. */
  matches?: string;
}

/** Settings of a target that can also be given once as defaults for all targets. */
export interface TargetSettings {
  /** HTTP method; HEAD reads no body, so it cannot have regexes or JSON conditions. Default `GET`. */
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
  /**
   * Conditions on the body parsed as JSON, each at a JSON Pointer: all must hold, or the check
   * is down with reason `assertion` (`invalid_json` when the body is not JSON). A target's list
   * replaces the defaults' one. Needs method GET. Default none.
   */
  json?: JsonCondition[];
  /** Conditions on the headers of the final response: all must hold, or the check is down with reason `assertion`. Default none. */
  responseHeaders?: HeaderCondition[];
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
