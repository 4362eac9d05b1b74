// A STAND-IN FOR CLOUDFLARE'S v4 API, for tests only. It is not Cloudflare and never talks to it.
//
// wrangler reads CLOUDFLARE_API_BASE_URL, so the project's own commands (npm run provision, deploy,
// import --remote, export --remote) run unchanged against this server on 127.0.0.1. It answers the
// calls those commands make, in the shapes of Cloudflare's published API (the { success, errors,
// messages, result } envelope, the same ids and error codes wrangler reacts to), keeps what is
// written (KV values, D1 databases in a real SQLite through node:sqlite, queues and their consumers,
// Workers with their versions, bindings, secrets and static assets) and records every call.
//
// A call it does not know is answered with an error that names it ("Cloudflare stand-in: no answer
// for GET /accounts/…"), and is kept in `unknown`: a call a future wrangler starts making shows at
// once instead of passing unnoticed.
//
// Run it by hand to rehearse a deploy yourself (nothing leaves the machine):
//   node test/cloudflare-standin/standin.ts [--port 8790]
// then, in another shell, with the environment it prints: npm run provision, npm run deploy, …
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { gzipSync } from "node:zlib";
import { hash as blake3 } from "blake3-wasm";

export const STANDIN_ACCOUNT_ID = "5eaf00d5eaf00d5eaf00d5eaf00d5eaf";
export const STANDIN_TOKEN = "standin-token-not-a-real-cloudflare-token";

/** A JSON body or binding as Cloudflare's API takes it: loosely typed on purpose. */
// biome-ignore lint/suspicious/noExplicitAny: request bodies are whatever wrangler sends
type Json = any;

/** One call as the stand-in saw it. `path` is without the /client/v4 prefix; secret texts are redacted. */
export interface RecordedCall {
  seq: number;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  contentType: string;
  /** Parsed JSON, a multipart summary ({ parts }), or { bytes } for other bodies; undefined when empty. */
  body: unknown;
  status: number;
  /** The first error code answered, if the call failed. */
  errorCode?: number;
  /** The route that answered it (e.g. "PUT /accounts/:account/workers/scripts/:script"), or "unknown". */
  route: string;
  /** Where Cloudflare documents that call (ROUTE_DOCS). */
  docs?: string;
}

export interface KvNamespace {
  id: string;
  title: string;
  values: Map<string, { value: string; metadata?: unknown; expiration?: number }>;
}
export interface D1Database {
  uuid: string;
  name: string;
  createdAt: string;
  sqlite: DatabaseSync;
  /** Every statement run, in order (migrations, imports, queries), for assertions. */
  statements: string[];
  /** Read replication ("disabled" when a database is created). */
  readReplication: "auto" | "disabled";
}
export interface Queue {
  queue_id: string;
  queue_name: string;
  created_on: string;
  modified_on: string;
  consumers: QueueConsumer[];
}
export interface QueueConsumer {
  consumer_id: string;
  type: "worker";
  script_name: string;
  queue_name: string;
  dead_letter_queue?: string;
  settings: Record<string, unknown>;
  created_on: string;
}
export interface WorkerVersion {
  id: string;
  number: number;
  /** The upload's metadata part as sent (bindings, assets, compatibility date, …). */
  metadata: Record<string, Json>;
  /** Module parts: name, content type and size. */
  modules: { name: string; type: string; size: number }[];
  /** Bindings after the stand-in resolved `inherit` ones and kept secrets. */
  bindings: Record<string, Json>[];
  createdOn: string;
}
export interface WorkerScript {
  name: string;
  tag: string;
  createdOn: string;
  versions: WorkerVersion[];
  /** The version currently deployed (100%). */
  deployed?: string;
  secrets: Map<string, string>;
  subdomain: { enabled: boolean; previews_enabled: boolean };
  /** Settings that are not versioned (observability, logpush, tags, tail consumers). */
  settings: Record<string, unknown>;
  /** Cron triggers. */
  schedules: { cron: string }[];
}
interface AssetSession {
  script: string;
  manifest: Record<string, { hash: string; size: number }>;
  pending: Set<string>;
  completed: boolean;
}

/** An answer in Cloudflare's error envelope. */
class ApiFailure extends Error {
  readonly status: number;
  readonly errors: { code: number; message: string }[];
  constructor(status: number, errors: { code: number; message: string }[]) {
    super(errors.map((e) => `${e.message} [code: ${e.code}]`).join("; "));
    this.status = status;
    this.errors = errors;
  }
}
const fail = (status: number, code: number, message: string) => new ApiFailure(status, [{ code, message }]);

interface Req {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  raw: Buffer;
  json: () => Json;
  form: () => Promise<FormData>;
}
/** A handler returns the `result` of a success envelope, or a Raw answer (KV values are not JSON). */
class Raw {
  readonly status: number;
  readonly body: string | Buffer;
  readonly headers: Record<string, string>;
  constructor(status: number, body: string | Buffer, headers: Record<string, string> = {}) {
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}
interface Paged {
  paged: unknown[];
  page?: number;
  perPage?: number;
}
type Handler = (req: Req) => unknown | Promise<unknown>;

const now = () => new Date().toISOString();
const hex = (bytes: number) => randomBytes(bytes).toString("hex");

// ---------------------------------------------------------------------------------------------
// D1: SQL text split into statements the way SQLite reads them (quotes, comments, trigger bodies).

/** Splits SQL into statements; a CREATE TRIGGER's BEGIN … END body stays whole. */
export function splitSql(sql: string): string[] {
  const out: string[] = [];
  let current = "";
  let depth = 0;
  let i = 0;
  const words = () =>
    current
      .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, " ")
      .trim()
      .toUpperCase();
  while (i < sql.length) {
    const c = sql[i];
    const two = sql.slice(i, i + 2);
    if (two === "--") {
      const end = sql.indexOf("\n", i);
      const stop = end === -1 ? sql.length : end;
      current += sql.slice(i, stop);
      i = stop;
    } else if (two === "/*") {
      const end = sql.indexOf("*/", i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      current += sql.slice(i, stop);
      i = stop;
    } else if (c === "'" || c === '"' || c === "`" || c === "[") {
      const close = c === "[" ? "]" : c;
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) break;
        if (sql[j] === close) {
          if (close !== "]" && sql[j + 1] === close) j += 2;
          else break;
        } else j++;
      }
      current += sql.slice(i, j + 1);
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j])) j++;
      const word = sql.slice(i, j).toUpperCase();
      if (/^CREATE\s+(TEMP\s+|TEMPORARY\s+)?TRIGGER\b/.test(`${words()} ${word}`) || depth > 0) {
        if (word === "BEGIN" || word === "CASE") depth++;
        else if (word === "END") depth = Math.max(0, depth - 1);
      }
      current += sql.slice(i, j);
      i = j;
    } else if (c === ";" && depth === 0) {
      if (words()) out.push(current.trim());
      current = "";
      i++;
    } else {
      current += c;
      i++;
    }
  }
  if (words()) out.push(current.trim());
  return out;
}

const FORBIDDEN_IN_D1 = /^(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE)\b/i;

/**
 * Cloudflare's documented limits the stand-in enforces, so a build or a script that grows past one
 * fails the rehearsal as it would fail (or be cut short) on Cloudflare. `free` is a new account's plan.
 */
export const LIMITS = {
  /** https://developers.cloudflare.com/d1/platform/limits/ */
  d1StatementBytes: 100_000,
  d1BoundParameters: 100,
  /** https://developers.cloudflare.com/workers/static-assets/redirects/ (limits) */
  redirectsStatic: 2_000,
  redirectsDynamic: 100,
  redirectLineChars: 1_000,
  /** https://developers.cloudflare.com/workers/static-assets/headers/ (limits) */
  headersRules: 100,
  headersLineChars: 2_000,
  /** https://developers.cloudflare.com/workers/platform/limits/ (free plan, then paid) */
  cronTriggersPerAccount: { free: 5, paid: 250 },
  workerGzipBytes: { free: 3 * 1024 * 1024, paid: 10 * 1024 * 1024 },
  workerBytes: 64 * 1024 * 1024,
  assetFiles: { free: 20_000, paid: 100_000 },
  assetBytes: 25 * 1024 * 1024,
  /** https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/ */
  rateLimitPeriods: [10, 60],
} as const;

/** Bytes of SQL text as D1 counts a statement's length. */
const sqlBytes = (s: string) => Buffer.byteLength(s, "utf8");

/** Checks one cron expression as Cloudflare reads it (five fields; names of days and months). */
export function cronProblem(cron: string): string | null {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return `"${cron}" has ${fields.length} fields, a cron trigger has 5 (minute hour day-of-month month day-of-week)`;
  const ranges: [number, number, string[]][] = [
    [0, 59, []],
    [0, 23, []],
    [1, 31, []],
    [1, 12, ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]],
    [1, 7, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]],
  ];
  for (const [i, field] of fields.entries()) {
    const [min, max, names] = ranges[i];
    const value = (v: string) => {
      const at = names.indexOf(v.toUpperCase());
      if (at >= 0) return at + min;
      return /^\d+$/.test(v) ? Number(v) : Number.NaN;
    };
    for (const part of field.split(",")) {
      const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(part);
      const last = i >= 2 && /^(L|\d+W|[A-Za-z0-9]+#\d|\d*L|\?)$/i.test(part);
      if (last) continue;
      if (!m) return `"${cron}": "${part}" is not a cron field`;
      if (m[2] !== undefined && Number(m[2]) < 1) return `"${cron}": a step must be at least 1`;
      if (m[1] === "*") continue;
      for (const v of m[1].split("-").map(value)) if (!(v >= (i === 4 ? 0 : min) && v <= max)) return `"${cron}": "${part}" is out of range ${min}-${max}`;
    }
  }
  return null;
}

/** _redirects as Cloudflare reads it: each rule's syntax, the static and dynamic rule counts. */
export function redirectsProblems(text: string): string[] {
  const problems: string[] = [];
  let statics = 0;
  let dynamics = 0;
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    if (line.length > LIMITS.redirectLineChars) problems.push(`_redirects line ${i + 1} is over ${LIMITS.redirectLineChars} characters`);
    const parts = line.split(/\s+/);
    if (parts.length < 2 || parts.length > 3) {
      problems.push(`_redirects line ${i + 1}: expected "from to [status]", got ${parts.length} part(s)`);
      continue;
    }
    const [from, to, status] = parts;
    if (!from.startsWith("/") && !/^https?:\/\//.test(from)) problems.push(`_redirects line ${i + 1}: "${from}" is neither a path nor an address`);
    if (!to.startsWith("/") && !/^https?:\/\//.test(to)) problems.push(`_redirects line ${i + 1}: "${to}" is neither a path nor an address`);
    if (status !== undefined && !["200", "301", "302", "303", "307", "308"].includes(status))
      problems.push(`_redirects line ${i + 1}: status ${status} is not one of 200, 301, 302, 303, 307, 308`);
    if (/[*]|\/:[A-Za-z]/.test(from)) dynamics++;
    else statics++;
  }
  if (statics > LIMITS.redirectsStatic) problems.push(`_redirects has ${statics} static rules, over Cloudflare's ${LIMITS.redirectsStatic}`);
  if (dynamics > LIMITS.redirectsDynamic) problems.push(`_redirects has ${dynamics} dynamic rules, over Cloudflare's ${LIMITS.redirectsDynamic}`);
  return problems;
}

/** _headers as Cloudflare reads it: a path line, then indented "Name: value" lines; 100 rules. */
export function headersProblems(text: string): string[] {
  const problems: string[] = [];
  let rules = 0;
  let inRule = false;
  for (const [i, raw] of text.split("\n").entries()) {
    if (!raw.trim() || raw.trim().startsWith("#")) continue;
    if (raw.length > LIMITS.headersLineChars) problems.push(`_headers line ${i + 1} is over ${LIMITS.headersLineChars} characters`);
    if (!/^\s/.test(raw)) {
      if (!raw.startsWith("/") && !/^https?:\/\//.test(raw)) problems.push(`_headers line ${i + 1}: "${raw.trim()}" is not a path or an address`);
      rules++;
      inRule = true;
    } else if (!inRule) problems.push(`_headers line ${i + 1}: a header before any path`);
    else if (!/^\s+!?[A-Za-z0-9-]+\s*:/.test(raw) && !/^\s+!\s*[A-Za-z0-9-]+\s*$/.test(raw))
      problems.push(`_headers line ${i + 1}: "${raw.trim()}" is not "Name: value"`);
  }
  if (rules > LIMITS.headersRules) problems.push(`_headers has ${rules} rules, over Cloudflare's ${LIMITS.headersRules}`);
  return problems;
}

/** Runs statements as one batch, all or nothing, as D1's query and import endpoints do. */
function runBatch(db: D1Database, sql: string, params: unknown[] = []): { results: unknown[]; success: true; meta: Record<string, unknown> }[] {
  const statements = splitSql(sql);
  if (!statements.length) throw fail(400, 7500, "No SQL statements detected.");
  for (const s of statements) {
    if (sqlBytes(s) > LIMITS.d1StatementBytes)
      throw fail(400, 7500, `statement too long: ${sqlBytes(s)} bytes, over D1's ${LIMITS.d1StatementBytes} (${s.slice(0, 60)}…): SQLITE_TOOBIG`);
  }
  if (params.length > LIMITS.d1BoundParameters)
    throw fail(400, 7500, `too many SQL variables: ${params.length} bound parameters, over D1's ${LIMITS.d1BoundParameters}: SQLITE_ERROR`);
  for (const s of statements) {
    const stripped = s.replace(/^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*/, "");
    if (FORBIDDEN_IN_D1.test(stripped)) {
      throw fail(
        400,
        7500,
        `not authorized: ${stripped.split(/\s/)[0].toUpperCase()} is not allowed in D1, which runs every batch in its own transaction: SQLITE_AUTH`,
      );
    }
  }
  const out: { results: unknown[]; success: true; meta: Record<string, unknown> }[] = [];
  db.sqlite.exec("BEGIN");
  try {
    for (const s of statements) {
      const started = performance.now();
      const stmt = db.sqlite.prepare(s);
      const args = (statements.length === 1 ? params : []) as never[];
      let results: unknown[] = [];
      let changes = 0;
      let lastRowId = 0;
      if (stmt.columns().length > 0) {
        results = stmt.all(...args).map((row) => ({ ...row }));
      } else {
        const r = stmt.run(...args);
        changes = Number(r.changes);
        lastRowId = Number(r.lastInsertRowid);
      }
      db.statements.push(s);
      out.push({
        results,
        success: true,
        meta: {
          served_by: "cloudflare-standin",
          duration: performance.now() - started,
          changes,
          last_row_id: lastRowId,
          changed_db: changes > 0,
          size_after: 0,
          rows_read: results.length,
          rows_written: changes,
        },
      });
    }
    db.sqlite.exec("COMMIT");
  } catch (err) {
    db.sqlite.exec("ROLLBACK");
    if (err instanceof ApiFailure) throw err;
    throw fail(400, 7500, `${(err as Error).message}: SQLITE_ERROR`);
  }
  return out;
}

/**
 * Where each call the stand-in answers is described: Cloudflare's API reference page (under
 * https://developers.cloudflare.com/api/resources/), or why it is not there. A route without an entry is refused when the
 * stand-in starts, so none is added without saying where its shape comes from.
 */
export const ROUTE_DOCS: Record<string, string> = {
  "GET /user/tokens/verify": "https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/verify/",
  "GET /user": "https://developers.cloudflare.com/api/resources/user/methods/get/",
  "GET /memberships": "https://developers.cloudflare.com/api/resources/memberships/methods/list/",
  "GET /accounts": "https://developers.cloudflare.com/api/resources/accounts/methods/list/",
  "GET /accounts/:account": "https://developers.cloudflare.com/api/resources/accounts/methods/get/",
  "GET /accounts/:account/storage/kv/namespaces": "https://developers.cloudflare.com/api/resources/kv/subresources/namespaces/methods/list/",
  "POST /accounts/:account/storage/kv/namespaces": "https://developers.cloudflare.com/api/resources/kv/subresources/namespaces/methods/create/",
  "GET /accounts/:account/storage/kv/namespaces/:ns": "https://developers.cloudflare.com/api/resources/kv/subresources/namespaces/methods/get/",
  "PUT /accounts/:account/storage/kv/namespaces/:ns/bulk": "https://developers.cloudflare.com/api/resources/kv/subresources/namespaces/methods/bulk_update/",
  "GET /accounts/:account/storage/kv/namespaces/:ns/keys":
    "https://developers.cloudflare.com/api/resources/kv/subresources/namespaces/subresources/keys/methods/list/",
  "GET /accounts/:account/storage/kv/namespaces/:ns/values/:key":
    "https://developers.cloudflare.com/api/resources/kv/subresources/namespaces/subresources/values/methods/get/",
  "GET /accounts/:account/d1/database": "https://developers.cloudflare.com/api/resources/d1/subresources/database/methods/list/",
  "POST /accounts/:account/d1/database": "https://developers.cloudflare.com/api/resources/d1/subresources/database/methods/create/",
  "GET /accounts/:account/d1/database/:db": "https://developers.cloudflare.com/api/resources/d1/subresources/database/methods/get/",
  "PATCH /accounts/:account/d1/database/:db": "https://developers.cloudflare.com/api/resources/d1/subresources/database/methods/edit/",
  "POST /accounts/:account/d1/database/:db/query": "https://developers.cloudflare.com/api/resources/d1/subresources/database/methods/query/",
  "POST /accounts/:account/d1/database/:db/import": "https://developers.cloudflare.com/api/resources/d1/subresources/database/methods/import/",
  "PUT /standin-r2/d1-import/:token": "the upload_url D1's import answers with (a signed R2 address on Cloudflare)",
  "GET /accounts/:account/r2/buckets": "https://developers.cloudflare.com/api/resources/r2/subresources/buckets/methods/list/",
  "POST /accounts/:account/r2/buckets": "https://developers.cloudflare.com/api/resources/r2/subresources/buckets/methods/create/",
  "GET /accounts/:account/r2/buckets/:bucket": "https://developers.cloudflare.com/api/resources/r2/subresources/buckets/methods/get/",
  "PUT /accounts/:account/r2/buckets/:bucket/objects/:key":
    "https://developers.cloudflare.com/r2/api/workers/workers-api-reference/ (wrangler r2 object put --remote)",
  "GET /accounts/:account/r2/buckets/:bucket/objects/:key":
    "https://developers.cloudflare.com/r2/api/workers/workers-api-reference/ (wrangler r2 object get --remote)",
  "GET /accounts/:account/queues": "https://developers.cloudflare.com/api/resources/queues/methods/list/",
  "POST /accounts/:account/queues": "https://developers.cloudflare.com/api/resources/queues/methods/create/",
  "GET /accounts/:account/queues/:queue": "https://developers.cloudflare.com/api/resources/queues/methods/get/",
  "GET /accounts/:account/queues/:queue/consumers": "https://developers.cloudflare.com/api/resources/queues/subresources/consumers/methods/list/",
  "POST /accounts/:account/queues/:queue/consumers": "https://developers.cloudflare.com/api/resources/queues/subresources/consumers/methods/create/",
  "PUT /accounts/:account/queues/:queue/consumers/:consumer": "https://developers.cloudflare.com/api/resources/queues/subresources/consumers/methods/update/",
  "DELETE /accounts/:account/queues/:queue/consumers/:consumer":
    "https://developers.cloudflare.com/api/resources/queues/subresources/consumers/methods/delete/",
  "GET /accounts/:account/workers/services/:script":
    "wrangler's check that the Worker exists (the services API behind the dashboard; not in the public API reference)",
  "PUT /accounts/:account/workers/scripts/:script": "https://developers.cloudflare.com/api/resources/workers/subresources/scripts/methods/update/",
  "GET /accounts/:account/workers/scripts/:script/settings":
    "https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/script_and_version_settings/methods/get/",
  "POST /accounts/:account/workers/scripts/:script/versions":
    "https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/versions/methods/create/",
  "GET /accounts/:account/workers/scripts/:script/versions":
    "https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/versions/methods/list/",
  "POST /accounts/:account/workers/scripts/:script/deployments":
    "https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/deployments/methods/create/",
  "GET /accounts/:account/workers/scripts/:script/deployments":
    "https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/deployments/methods/list/",
  "PATCH /accounts/:account/workers/scripts/:script/script-settings":
    "https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/settings/methods/edit/",
  "PUT /accounts/:account/workers/scripts/:script/secrets":
    "https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/secrets/methods/update/",
  "GET /accounts/:account/workers/scripts/:script/secrets":
    "https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/secrets/methods/list/",
  "GET /accounts/:account/workers/workers/:script":
    "https://developers.cloudflare.com/api/resources/workers/subresources/beta/subresources/workers/methods/get/",
  "GET /accounts/:account/workers/subdomain": "https://developers.cloudflare.com/api/resources/workers/subresources/subdomains/methods/get/",
  "PUT /accounts/:account/workers/subdomain": "https://developers.cloudflare.com/api/resources/workers/subresources/subdomains/methods/update/",
  "GET /accounts/:account/workers/subdomains/:name":
    "wrangler's availability check before registering a workers.dev subdomain (10032 free, 10031 taken; not in the public API reference)",
  "DELETE /accounts/:account/workers/scripts/:script/secrets/:name":
    "https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/secrets/methods/delete/",
  "GET /accounts/:account/workers/scripts/:script/subdomain":
    "https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/subdomain/methods/get/",
  "POST /accounts/:account/workers/scripts/:script/subdomain":
    "https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/subdomain/methods/create/",
  "GET /accounts/:account/workers/scripts/:script/schedules":
    "https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/schedules/methods/get/",
  "PUT /accounts/:account/workers/scripts/:script/schedules":
    "https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/schedules/methods/update/",
  "POST /accounts/:account/workers/scripts/:script/assets-upload-session":
    "https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/assets/subresources/upload/methods/create/",
  "POST /accounts/:account/workers/assets/upload":
    "https://developers.cloudflare.com/api/resources/workers/subresources/assets/subresources/upload/methods/create/",
};

// ---------------------------------------------------------------------------------------------

export interface StandinOptions {
  port?: number;
  accountId?: string;
  token?: string;
  /** Account (workers.dev) subdomain; none registered when null (a brand-new account). */
  workersDevSubdomain?: string | null;
  /** The account's Workers plan, for the limits that differ (default: free, a new author's). */
  plan?: "free" | "paid";
  /** workers.dev subdomains other accounts have taken (registering one is refused). */
  takenSubdomains?: string[];
}

export class CloudflareStandin {
  readonly accountId: string;
  readonly token: string;
  readonly calls: RecordedCall[] = [];
  /** Calls no route answered: each is also an error answer naming it. */
  readonly unknown: RecordedCall[] = [];
  readonly kv = new Map<string, KvNamespace>();
  readonly d1 = new Map<string, D1Database>();
  readonly queues = new Map<string, Queue>();
  /** R2 buckets by name: their objects (key → bytes and type). */
  readonly r2 = new Map<string, { createdOn: string; objects: Map<string, { body: Buffer; type: string }> }>();
  readonly scripts = new Map<string, WorkerScript>();
  /** Asset contents by hash, as uploaded (decoded). */
  readonly assets = new Map<string, Buffer>();
  /** The asset manifests sent to open an upload session, in order. */
  readonly assetManifests: Record<string, { hash: string; size: number }>[] = [];
  /** The hashes uploaded, per upload call. */
  readonly assetUploads: string[][] = [];
  workersDevSubdomain: string | null;
  readonly plan: "free" | "paid";
  readonly takenSubdomains: Set<string>;
  /** Requests the client gave up on before the stand-in read them (an interrupted deploy). */
  aborted = 0;
  /** Paths a valid token has no permission for (answered 10000, as Cloudflare does). */
  deniedPaths: RegExp[] = [];
  /** A route whose calls wait until `release()` (to interrupt a deploy there). */
  private held: { route: string; waiting: (() => void)[]; arrived: number } | undefined;
  private readonly sessions = new Map<string, AssetSession>();
  private readonly d1Uploads = new Map<string, { etag: string; sql: string; db: string }>();
  private readonly routes: { method: string; pattern: string; re: RegExp; keys: string[]; handler: Handler; auth: boolean }[] = [];
  private server!: Server;
  url = "";

  private constructor(opts: StandinOptions) {
    this.accountId = opts.accountId ?? STANDIN_ACCOUNT_ID;
    this.token = opts.token ?? STANDIN_TOKEN;
    this.workersDevSubdomain = opts.workersDevSubdomain === undefined ? "billet-author" : opts.workersDevSubdomain;
    this.plan = opts.plan ?? "free";
    this.takenSubdomains = new Set(opts.takenSubdomains ?? []);
    this.defineRoutes();
  }

  static async start(opts: StandinOptions = {}): Promise<CloudflareStandin> {
    const s = new CloudflareStandin(opts);
    // A client that goes away mid-request (a deploy interrupted with Ctrl-C) must not stop the server.
    s.server = createServer((req, res) => {
      res.on("error", () => {});
      s.handle(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) res.destroy();
      });
    });
    s.server.on("clientError", (_err, socket) => socket.destroy());
    await new Promise<void>((resolve) => s.server.listen(opts.port ?? 0, "127.0.0.1", resolve));
    s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  /** What wrangler reads as CLOUDFLARE_API_BASE_URL. */
  get apiBase(): string {
    return `${this.url}/client/v4`;
  }

  /** The environment a child needs to talk to this stand-in (and to nothing else on Cloudflare). */
  env(): Record<string, string> {
    return { CLOUDFLARE_API_BASE_URL: this.apiBase, CLOUDFLARE_API_TOKEN: this.token, CLOUDFLARE_ACCOUNT_ID: this.accountId };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const db of this.d1.values()) db.sqlite.close();
  }

  /** From now on, calls to `route` (e.g. "POST /accounts/:account/workers/assets/upload") wait until release(). */
  hold(route: string): void {
    this.held = { route, waiting: [], arrived: 0 };
  }
  /** How many calls are waiting on the held route. */
  get waiting(): number {
    return this.held?.waiting.length ?? 0;
  }
  release(): void {
    const held = this.held;
    this.held = undefined;
    for (const go of held?.waiting ?? []) go();
  }

  /** Calls after the given sequence number (see `mark`). */
  since(mark: number): RecordedCall[] {
    return this.calls.filter((c) => c.seq > mark);
  }
  mark(): number {
    return this.calls.length;
  }

  /** Resources already on the account (another project's, say), made without a recorded call. */
  createKvNamespace(title: string): KvNamespace {
    const ns: KvNamespace = { id: hex(16), title, values: new Map() };
    this.kv.set(ns.id, ns);
    return ns;
  }
  createD1Database(name: string): D1Database {
    const db: D1Database = { uuid: randomUUID(), name, createdAt: now(), sqlite: new DatabaseSync(":memory:"), statements: [], readReplication: "disabled" };
    this.d1.set(db.uuid, db);
    return db;
  }
  createQueue(name: string): Queue {
    const q: Queue = { queue_id: hex(16), queue_name: name, created_on: now(), modified_on: now(), consumers: [] };
    this.queues.set(q.queue_id, q);
    return q;
  }
  /** A Worker as `wrangler secret put` leaves it before the first deploy: an empty script holding secrets. */
  createWorker(name: string, secrets: Record<string, string>): WorkerScript {
    const script: WorkerScript = {
      name,
      tag: hex(16),
      createdOn: now(),
      versions: [],
      secrets: new Map(Object.entries(secrets)),
      subdomain: { enabled: false, previews_enabled: false },
      settings: {},
      schedules: [],
    };
    const version: WorkerVersion = {
      id: randomUUID(),
      number: 1,
      metadata: { main_module: name, bindings: [] },
      modules: [{ name, type: "application/javascript+module", size: 29 }],
      bindings: Object.keys(secrets).map((n) => ({ type: "secret_text", name: n })),
      createdOn: now(),
    };
    script.versions.push(version);
    script.deployed = version.id;
    this.scripts.set(name, script);
    return script;
  }
  queueNamed(name: string): Queue | undefined {
    return this.queueByName(name);
  }

  /** The Worker's deployed version. */
  deployedVersion(script: string): WorkerVersion | undefined {
    const s = this.scripts.get(script);
    return s?.versions.find((v) => v.id === s.deployed);
  }

  // -------------------------------------------------------------------------------------------

  private route(method: string, pattern: string, handler: Handler, auth = true): void {
    if (!ROUTE_DOCS[`${method} ${pattern}`]) throw new Error(`Cloudflare stand-in: route ${method} ${pattern} has no entry in ROUTE_DOCS`);
    const keys: string[] = [];
    const re = new RegExp(
      "^" +
        pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:(\w+)/g, (_m, k: string) => {
          keys.push(k);
          return "([^/]+)";
        }) +
        "$",
    );
    this.routes.push({ method, pattern, re, keys, handler, auth });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      // The client gave up (aborted) before sending the whole request: nothing to answer or apply.
      this.aborted++;
      return;
    }
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", this.url);
    const method = req.method ?? "GET";
    const prefix = "/client/v4";
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    const contentType = String(req.headers["content-type"] ?? "");
    const call: RecordedCall = {
      seq: this.calls.length + 1,
      method,
      path,
      query: Object.fromEntries(
        [...url.searchParams.keys()].map((k) => [k, url.searchParams.getAll(k).length > 1 ? url.searchParams.getAll(k) : url.searchParams.get(k)!]),
      ),
      contentType,
      body: undefined,
      status: 0,
      route: "unknown",
    };
    this.calls.push(call);
    let formCache: Promise<FormData> | undefined;
    const r: Req = {
      method,
      path,
      params: {},
      query: url.searchParams,
      headers: req.headers,
      raw,
      json: () => {
        try {
          return JSON.parse(raw.toString("utf8"));
        } catch {
          throw fail(400, 10026, "could not parse the JSON body");
        }
      },
      form: () => (formCache ??= new Request(url, { method: "POST", headers: { "content-type": contentType }, body: raw }).formData()),
    };
    const send = (status: number, body: string | Buffer, headers: Record<string, string>) => {
      call.status = status;
      if (res.destroyed) return; // the client left while the call ran: what it did is kept
      res.writeHead(status, headers);
      res.end(body);
    };
    try {
      call.body = await this.describeBody(r, contentType);
      const isApi = url.pathname.startsWith(`${prefix}/`);
      const match = this.routes.find((rt) => rt.method === method && rt.re.test(path) && (isApi || !rt.auth));
      if (!match || (!isApi && match.auth)) {
        call.route = "unknown";
        this.unknown.push(call);
        throw fail(
          404,
          7003,
          `Cloudflare stand-in: no answer for ${method} ${path}${url.search} (a call this stand-in does not know: teach it in test/cloudflare-standin/standin.ts, after checking Cloudflare's API documentation)`,
        );
      }
      call.route = `${match.method} ${match.pattern}`;
      call.docs = ROUTE_DOCS[call.route];
      const values = match.re.exec(path)!;
      for (const [i, k] of match.keys.entries()) r.params[k] = decodeURIComponent(values[i + 1]);
      if (match.auth) this.authenticate(r);
      const held = this.held;
      if (held && held.route === call.route) await new Promise<void>((go) => held.waiting.push(go));
      const result = await match.handler(r);
      if (result instanceof Raw) {
        send(result.status, result.body, result.headers);
        return;
      }
      const paged = result as Paged | undefined;
      if (paged && typeof paged === "object" && "paged" in paged) {
        const page = Number(url.searchParams.get("page") ?? 1);
        const perPage = Number(url.searchParams.get("per_page") ?? paged.perPage ?? 100);
        const slice = paged.paged.slice((page - 1) * perPage, page * perPage);
        const info = {
          page,
          per_page: perPage,
          count: slice.length,
          total_count: paged.paged.length,
          total_pages: Math.max(1, Math.ceil(paged.paged.length / perPage)),
        };
        send(200, JSON.stringify({ success: true, errors: [], messages: [], result: slice, result_info: info }), { "content-type": "application/json" });
        return;
      }
      send(200, JSON.stringify({ success: true, errors: [], messages: [], result: result ?? null }), { "content-type": "application/json" });
    } catch (err) {
      const failure = err instanceof ApiFailure ? err : fail(500, 10000 + 13, `Cloudflare stand-in: internal error: ${(err as Error).stack ?? err}`);
      call.errorCode = failure.errors[0]?.code;
      send(failure.status, JSON.stringify({ success: false, errors: failure.errors, messages: [], result: null }), { "content-type": "application/json" });
    }
  }

  private async describeBody(r: Req, contentType: string): Promise<unknown> {
    if (!r.raw.length) return undefined;
    if (contentType.startsWith("multipart/form-data")) {
      const form = await r.form();
      const parts: Record<string, unknown>[] = [];
      let metadata: unknown;
      for (const [name, value] of form.entries()) {
        if (name === "metadata") metadata = JSON.parse(typeof value === "string" ? value : await value.text());
        if (typeof value === "string") parts.push({ name, size: value.length });
        else parts.push({ name, filename: value.name, type: value.type, size: value.size });
      }
      return metadata === undefined ? { parts } : { metadata, parts };
    }
    try {
      const body = JSON.parse(r.raw.toString("utf8"));
      // Secret values are never kept in the record.
      if (body && typeof body === "object" && !Array.isArray(body) && body.type === "secret_text" && typeof body.text === "string") {
        return { ...body, text: `[redacted: ${body.text.length} characters]` };
      }
      return body;
    } catch {
      return { bytes: r.raw.length };
    }
  }

  private authenticate(r: Req): void {
    const auth = String(r.headers.authorization ?? "");
    const accountMismatch = r.params.account !== undefined && r.params.account !== this.accountId;
    if (auth === `Bearer ${this.token}` && !accountMismatch) {
      if (this.deniedPaths.some((re) => re.test(r.path))) throw fail(403, 10000, "Authentication error");
      return;
    }
    if (!auth)
      throw new ApiFailure(400, [
        { code: 6003, message: "Invalid request headers" },
        { code: 6111, message: "Invalid format for Authorization header" },
      ]);
    if (r.path === "/user/tokens/verify") throw fail(401, 1000, "Invalid API Token");
    if (r.path.startsWith("/accounts/") || r.path === "/memberships") throw fail(403, 10000, "Authentication error");
    throw fail(403, 9109, "Unauthorized to access requested resource");
  }

  private account(r: Req): void {
    if (r.params.account !== this.accountId) throw fail(403, 10000, "Authentication error");
  }

  private script(name: string): WorkerScript {
    const s = this.scripts.get(name);
    if (!s) throw fail(404, 10007, "This Worker does not exist on your account. [workers.api.error.script_not_found]");
    return s;
  }

  private database(id: string): D1Database {
    const db = this.d1.get(id) ?? [...this.d1.values()].find((d) => d.name === id);
    if (!db) throw fail(404, 7404, `The database ${id} could not be found`);
    return db;
  }

  private namespace(id: string): KvNamespace {
    const ns = this.kv.get(id);
    if (!ns) throw fail(404, 10013, "get namespace: 'namespace not found'");
    return ns;
  }

  private queueByName(name: string): Queue | undefined {
    return [...this.queues.values()].find((q) => q.queue_name === name);
  }

  private queueJson(q: Queue) {
    const producers = [...this.scripts.values()]
      .filter((s) => this.deployedBindings(s).some((b) => b.type === "queue" && b.queue_name === q.queue_name))
      .map((s) => ({ type: "worker", script: s.name }));
    return {
      queue_id: q.queue_id,
      queue_name: q.queue_name,
      created_on: q.created_on,
      modified_on: q.modified_on,
      producers,
      producers_total_count: producers.length,
      consumers: q.consumers.map((c) => this.consumerJson(c)),
      consumers_total_count: q.consumers.length,
      settings: { delivery_delay: 0, delivery_paused: false, message_retention_period: 345600 },
    };
  }

  private consumerJson(c: QueueConsumer) {
    return {
      consumer_id: c.consumer_id,
      type: c.type,
      script: c.script_name,
      script_name: c.script_name,
      queue_name: c.queue_name,
      dead_letter_queue: c.dead_letter_queue,
      settings: c.settings,
      created_on: c.created_on,
    };
  }

  private deployedBindings(s: WorkerScript): Record<string, Json>[] {
    return s.versions.find((v) => v.id === s.deployed)?.bindings ?? [];
  }

  /** Checks an upload's bindings against the account, resolves `inherit` and keeps secrets. */
  private resolveBindings(script: WorkerScript | undefined, metadata: Record<string, Json>): Record<string, Json>[] {
    const bindings: Record<string, Json>[] = Array.isArray(metadata.bindings) ? metadata.bindings : [];
    const errors: { code: number; message: string }[] = [];
    const out: Record<string, Json>[] = [];
    const seen = new Set<string>();
    for (const b of bindings) {
      if (seen.has(b.name)) errors.push({ code: 10021, message: `Uncaught Error: binding name '${b.name}' is used more than once` });
      seen.add(b.name);
      switch (b.type) {
        case "kv_namespace":
          if (!this.kv.has(b.namespace_id)) errors.push({ code: 10041, message: `KV namespace '${b.namespace_id}' is not valid.` });
          out.push(b);
          break;
        case "d1":
          if (!this.d1.has(b.id)) errors.push({ code: 10181, message: `D1 binding '${b.name}' references database '${b.id}' which was not found` });
          out.push(b);
          break;
        case "queue":
          if (!this.queueByName(b.queue_name)) errors.push({ code: 11000, message: `Queue "${b.queue_name}" does not exist` });
          out.push(b);
          break;
        case "inherit": {
          const secret = script?.secrets.has(b.name);
          const previous = script ? this.deployedBindings(script).find((x) => x.name === b.name) : undefined;
          if (secret) out.push({ type: "secret_text", name: b.name });
          else if (previous) out.push(previous);
          else errors.push({ code: 10057, message: `inherit binding '${b.name}' is invalid: the previous version of the Worker has no binding of that name` });
          break;
        }
        case "r2_bucket":
          if (!this.r2.has(b.bucket_name)) errors.push({ code: 10085, message: `R2 bucket '${b.bucket_name}' not found` });
          out.push(b);
          break;
        case "ratelimit": {
          const { limit, period } = b.simple ?? {};
          if (!(LIMITS.rateLimitPeriods as readonly number[]).includes(period))
            errors.push({ code: 10021, message: `rate limit binding '${b.name}': period must be 10 or 60 (seconds), not ${period}` });
          if (!Number.isInteger(limit) || limit < 1)
            errors.push({ code: 10021, message: `rate limit binding '${b.name}': limit must be a positive whole number, not ${limit}` });
          out.push(b);
          break;
        }
        case "send_email":
        case "plain_text":
        case "json":
        case "assets":
        case "secret_text":
          out.push(b);
          break;
        default:
          errors.push({
            code: 10021,
            message: `Cloudflare stand-in: binding type '${b.type}' (binding ${b.name}) is not modelled; teach it in test/cloudflare-standin/standin.ts`,
          });
      }
    }
    // keep_bindings: secrets set with `wrangler secret put` stay on the new version.
    const keep: string[] = Array.isArray(metadata.keep_bindings) ? metadata.keep_bindings : [];
    if (script && keep.includes("secret_text")) {
      for (const name of script.secrets.keys()) if (!out.some((b) => b.name === name)) out.push({ type: "secret_text", name });
    }
    if (errors.length) throw new ApiFailure(400, errors);
    return out;
  }

  /** PUT /workers/scripts/:script and POST …/versions: the multipart upload. */
  private async upload(r: Req, scriptName: string, deploy: boolean): Promise<{ script: WorkerScript; version: WorkerVersion }> {
    if (!String(r.headers["content-type"] ?? "").startsWith("multipart/form-data")) throw fail(400, 10021, "Expected a multipart/form-data upload");
    const form = await r.form();
    const metaPart = form.get("metadata");
    if (metaPart === null) throw fail(400, 10021, "Missing the metadata part of the Worker upload");
    const metadata = JSON.parse(typeof metaPart === "string" ? metaPart : await metaPart.text());
    const modules: WorkerVersion["modules"] = [];
    let gzipped = 0;
    for (const [name, value] of form.entries()) {
      if (name === "metadata" || typeof value === "string") continue;
      modules.push({ name: value.name || name, type: value.type, size: value.size });
      gzipped += gzipSync(Buffer.from(await value.arrayBuffer())).length;
    }
    // Worker size, as Cloudflare measures it: after compression, and before.
    const size = modules.reduce((n, m) => n + m.size, 0);
    const sizeLimit = LIMITS.workerGzipBytes[this.plan];
    if (gzipped > sizeLimit || size > LIMITS.workerBytes)
      throw fail(
        400,
        10027,
        `Your Worker exceeded the size limit of ${sizeLimit / 1024 / 1024} MiB (${(gzipped / 1024 / 1024).toFixed(2)} MiB compressed, ${(size / 1024 / 1024).toFixed(2)} MiB before) on the ${this.plan} plan.`,
      );
    const assetsConfig = metadata.assets?.config ?? {};
    const rules = [
      ...(typeof assetsConfig._redirects === "string" ? redirectsProblems(assetsConfig._redirects) : []),
      ...(typeof assetsConfig._headers === "string" ? headersProblems(assetsConfig._headers) : []),
    ];
    if (rules.length)
      throw new ApiFailure(
        400,
        rules.map((message) => ({ code: 10021, message })),
      );
    const main = metadata.main_module ?? metadata.body_part;
    if (!modules.some((m) => m.name === main)) throw fail(400, 10021, `No such module "${main}" in the upload`);
    const existing = this.scripts.get(scriptName);
    const bindings = this.resolveBindings(existing, metadata);
    // Assets: the completion token must come from a finished upload session of this Worker.
    const assetsBinding = bindings.find((b) => b.type === "assets");
    if (metadata.assets) {
      const session = this.sessions.get(metadata.assets.jwt);
      if (!session?.completed) throw fail(400, 10201, "The assets completion token is not valid (no finished upload session)");
      if (session.script !== scriptName) throw fail(400, 10201, "The assets completion token belongs to another Worker");
    } else if (assetsBinding) throw fail(400, 10021, "An assets binding needs assets in the upload");
    const script: WorkerScript = existing ?? {
      name: scriptName,
      tag: hex(16),
      createdOn: now(),
      versions: [],
      secrets: new Map(),
      subdomain: { enabled: false, previews_enabled: false },
      settings: {},
      schedules: [],
    };
    this.scripts.set(scriptName, script);
    const version: WorkerVersion = { id: randomUUID(), number: script.versions.length + 1, metadata, modules, bindings, createdOn: now() };
    script.versions.push(version);
    if (deploy) script.deployed = version.id;
    return { script, version };
  }

  private scriptJson(s: WorkerScript) {
    const version = s.versions.find((v) => v.id === s.deployed);
    return {
      id: s.name,
      tag: s.tag,
      etag: version ? createHash("sha256").update(version.id).digest("hex") : "",
      handlers: ["fetch", "queue"],
      created_on: s.createdOn,
      modified_on: version?.createdOn ?? s.createdOn,
      usage_model: "standard",
      compatibility_date: version?.metadata.compatibility_date,
      has_assets: Boolean(version?.metadata.assets),
      has_modules: true,
      last_deployed_from: "wrangler",
    };
  }

  private defineRoutes(): void {
    // ---- Account, user and token ---------------------------------------------------------------
    this.route("GET", "/user/tokens/verify", () => ({ id: "standin-token-id", status: "active" }));
    this.route("GET", "/user", () => ({ id: "standin-user", email: "author@example.com" }));
    this.route("GET", "/memberships", () => ({
      paged: [{ id: "standin-membership", account: { id: this.accountId, name: "The author's account (stand-in)" }, status: "accepted" }],
    }));
    this.route("GET", "/accounts", () => ({ paged: [{ id: this.accountId, name: "The author's account (stand-in)" }] }));
    this.route("GET", "/accounts/:account", (r) => {
      this.account(r);
      return { id: this.accountId, name: "The author's account (stand-in)" };
    });

    // ---- Workers KV ------------------------------------------------------------------------------
    this.route("GET", "/accounts/:account/storage/kv/namespaces", () => ({
      paged: [...this.kv.values()].map((n) => ({ id: n.id, title: n.title, supports_url_encoding: true })),
      perPage: 20,
    }));
    this.route("POST", "/accounts/:account/storage/kv/namespaces", (r) => {
      const { title } = r.json();
      if (typeof title !== "string" || !title) throw fail(400, 10019, "title is required");
      if ([...this.kv.values()].some((n) => n.title === title)) throw fail(400, 10014, "a namespace with this account ID and title already exists");
      const ns = this.createKvNamespace(title);
      return { id: ns.id, title, supports_url_encoding: true };
    });
    this.route("GET", "/accounts/:account/storage/kv/namespaces/:ns", (r) => {
      const ns = this.namespace(r.params.ns);
      return { id: ns.id, title: ns.title, supports_url_encoding: true };
    });
    this.route("PUT", "/accounts/:account/storage/kv/namespaces/:ns/bulk", (r) => {
      const ns = this.namespace(r.params.ns);
      const entries = r.json();
      if (!Array.isArray(entries)) throw fail(400, 10026, "the body must be an array of key-value pairs");
      if (entries.length > 10_000) throw fail(400, 10026, "at most 10,000 pairs a request");
      for (const e of entries) {
        if (typeof e.key !== "string" || typeof e.value !== "string") throw fail(400, 10026, "each pair needs a string key and a string value");
        if (Buffer.byteLength(e.key) > 512) throw fail(400, 10033, `key too long: ${e.key.slice(0, 40)}…`);
        const value = e.base64 ? Buffer.from(e.value, "base64").toString("utf8") : e.value;
        ns.values.set(e.key, { value, metadata: e.metadata, expiration: e.expiration });
      }
      return { successful_key_count: entries.length, unsuccessful_keys: [] };
    });
    this.route("GET", "/accounts/:account/storage/kv/namespaces/:ns/keys", (r) => {
      const ns = this.namespace(r.params.ns);
      const prefix = r.query.get("prefix") ?? "";
      const keys = [...ns.values.keys()]
        .filter((k) => k.startsWith(prefix))
        .sort()
        .map((name) => ({ name, metadata: ns.values.get(name)!.metadata }));
      return { paged: keys, perPage: 1000 };
    });
    this.route("GET", "/accounts/:account/storage/kv/namespaces/:ns/values/:key", (r) => {
      const v = this.namespace(r.params.ns).values.get(r.params.key);
      if (!v) throw fail(404, 10009, "get: 'key not found'");
      return new Raw(200, v.value, { "content-type": "application/octet-stream" });
    });

    // ---- D1 --------------------------------------------------------------------------------------
    const dbJson = (db: D1Database) => ({
      uuid: db.uuid,
      name: db.name,
      created_at: db.createdAt,
      version: "production",
      num_tables: Number((db.sqlite.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n),
      file_size: 0,
      running_in_region: "WEUR",
      read_replication: { mode: db.readReplication },
    });
    this.route("GET", "/accounts/:account/d1/database", (r) => {
      const name = r.query.get("name");
      return { paged: [...this.d1.values()].filter((d) => !name || d.name === name).map(dbJson), perPage: 1000 };
    });
    this.route("POST", "/accounts/:account/d1/database", (r) => {
      const { name } = r.json();
      if (typeof name !== "string" || !/^[a-z0-9][a-z0-9-_]*$/i.test(name)) throw fail(400, 7400, "The request is malformed: name is invalid");
      if ([...this.d1.values()].some((d) => d.name === name)) throw fail(400, 7502, "A database with that name already exists");
      const db = this.createD1Database(name);
      return { uuid: db.uuid, name: db.name, created_at: db.createdAt, version: "production", created_in_region: "WEUR" };
    });
    this.route("GET", "/accounts/:account/d1/database/:db", (r) => dbJson(this.database(r.params.db)));
    this.route("PATCH", "/accounts/:account/d1/database/:db", (r) => {
      const db = this.database(r.params.db);
      const mode = r.json().read_replication?.mode;
      if (mode !== undefined && mode !== "auto" && mode !== "disabled") throw fail(400, 7400, "The request is malformed: read_replication.mode is invalid");
      if (mode) db.readReplication = mode;
      return dbJson(db);
    });
    this.route("POST", "/accounts/:account/d1/database/:db/query", (r) => {
      const db = this.database(r.params.db);
      const { sql, params } = r.json();
      if (typeof sql !== "string") throw fail(400, 7400, "The request is malformed: sql is required");
      return runBatch(db, sql, Array.isArray(params) ? params : []);
    });
    this.route("POST", "/accounts/:account/d1/database/:db/import", (r) => {
      const db = this.database(r.params.db);
      const body = r.json();
      if (body.action === "init") {
        const token = hex(12);
        const filename = `${body.etag}.sql`;
        this.d1Uploads.set(token, { etag: body.etag, sql: "", db: db.uuid });
        this.d1Uploads.set(filename, { etag: body.etag, sql: "", db: db.uuid });
        return { success: true, filename, upload_url: `${this.url}/standin-r2/d1-import/${token}?filename=${encodeURIComponent(filename)}` };
      }
      if (body.action === "ingest") {
        const upload = this.d1Uploads.get(body.filename);
        if (!upload?.sql || upload.etag !== body.etag) return { success: false, error: `No uploaded file ${body.filename} with etag ${body.etag}` };
        const started = performance.now();
        try {
          const results = runBatch(db, upload.sql);
          const written = results.reduce((n, x) => n + Number(x.meta.rows_written), 0);
          const read = results.reduce((n, x) => n + Number(x.meta.rows_read), 0);
          const bookmark = `0000000${db.statements.length}-standin`;
          return {
            success: true,
            type: "import",
            status: "complete",
            at_bookmark: bookmark,
            messages: [`Imported ${results.length} statement(s) (Cloudflare stand-in)`],
            result: {
              num_queries: results.length,
              final_bookmark: bookmark,
              meta: { duration: performance.now() - started, rows_read: read, rows_written: written, size_after: 0, changed_db: written > 0, changes: written },
            },
          };
        } catch (err) {
          return { success: true, type: "import", status: "error", error: (err as Error).message, errors: [(err as Error).message], messages: [] };
        }
      }
      if (body.action === "poll") return { success: false, error: "Cloudflare stand-in: imports complete at once; nothing to poll" };
      throw fail(400, 7400, `The request is malformed: unknown import action ${body.action}`);
    });
    // The signed upload address D1 gives for an import file (on Cloudflare, an R2 address).
    this.route(
      "PUT",
      "/standin-r2/d1-import/:token",
      (r) => {
        const upload = this.d1Uploads.get(r.params.token);
        if (!upload) return new Raw(403, "Cloudflare stand-in: no such upload");
        const etag = createHash("md5").update(r.raw).digest("hex");
        // What ingest will run: the file as uploaded, and the etag it really has.
        for (const entry of [upload, this.d1Uploads.get(r.query.get("filename") ?? "")]) {
          if (entry) Object.assign(entry, { sql: r.raw.toString("utf8"), etag });
        }
        return new Raw(200, "", { etag: `"${etag}"` });
      },
      false,
    );

    // ---- Queues ----------------------------------------------------------------------------------
    this.route("GET", "/accounts/:account/queues", (r) => {
      const names = r.query.getAll("name");
      return { paged: [...this.queues.values()].filter((q) => !names.length || names.includes(q.queue_name)).map((q) => this.queueJson(q)) };
    });
    this.route("GET", "/accounts/:account/r2/buckets", () => ({
      buckets: [...this.r2].map(([name, b]) => ({ name, creation_date: b.createdOn, location: "weur", storage_class: "Standard" })),
    }));
    this.route("POST", "/accounts/:account/r2/buckets", (r) => {
      const { name } = r.json();
      if (typeof name !== "string" || !/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name))
        throw fail(400, 10005, `The specified bucket name is not valid: ${name}`);
      if (this.r2.has(name)) throw fail(409, 10004, "The bucket you tried to create already exists, and you own it.");
      this.r2.set(name, { createdOn: now(), objects: new Map() });
      return { name, creation_date: this.r2.get(name)!.createdOn, location: "weur", storage_class: "Standard" };
    });
    const bucketNamed = (name: string) => {
      const b = this.r2.get(name);
      if (!b) throw fail(404, 10006, "The specified bucket does not exist.");
      return b;
    };
    this.route("GET", "/accounts/:account/r2/buckets/:bucket", (r) => ({ name: r.params.bucket, creation_date: bucketNamed(r.params.bucket).createdOn }));
    // An object's key holds slashes (media/2008/03/photo.jpg): the last parameter takes the rest.
    this.route("PUT", "/accounts/:account/r2/buckets/:bucket/objects/:key", (r) => {
      bucketNamed(r.params.bucket).objects.set(decodeURIComponent(r.params.key), { body: r.raw, type: String(r.headers["content-type"] ?? "") });
      return { key: decodeURIComponent(r.params.key), size: r.raw.length };
    });
    this.routes.at(-1)!.re = new RegExp(this.routes.at(-1)!.re.source.replace(/\(\[\^\/\]\+\)\$$/, "(.+)$"));
    this.route("GET", "/accounts/:account/r2/buckets/:bucket/objects/:key", (r) => {
      const o = bucketNamed(r.params.bucket).objects.get(decodeURIComponent(r.params.key));
      if (!o) throw fail(404, 10007, "The specified key does not exist.");
      return new Raw(200, o.body, { "content-type": o.type || "application/octet-stream" });
    });
    this.routes.at(-1)!.re = new RegExp(this.routes.at(-1)!.re.source.replace(/\(\[\^\/\]\+\)\$$/, "(.+)$"));
    this.route("POST", "/accounts/:account/queues", (r) => {
      const { queue_name } = r.json();
      if (typeof queue_name !== "string" || !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(queue_name))
        throw fail(400, 11003, `Invalid queue name: ${queue_name}`);
      if (this.queueByName(queue_name)) throw fail(409, 11009, "Queue name already taken");
      return this.queueJson(this.createQueue(queue_name));
    });
    const queueById = (id: string) => {
      const q = this.queues.get(id);
      if (!q) throw fail(404, 11000, "Queue does not exist");
      return q;
    };
    this.route("GET", "/accounts/:account/queues/:queue", (r) => this.queueJson(queueById(r.params.queue)));
    this.route("GET", "/accounts/:account/queues/:queue/consumers", (r) => ({ paged: queueById(r.params.queue).consumers.map((c) => this.consumerJson(c)) }));
    const consumerBody = (q: Queue, body: Json, existing?: QueueConsumer): QueueConsumer => {
      const scriptName = body.script_name ?? body.script;
      if (body.type !== undefined && body.type !== "worker") throw fail(400, 11004, `Cloudflare stand-in: consumer type '${body.type}' is not modelled`);
      if (!this.scripts.has(scriptName)) throw fail(404, 10007, "This Worker does not exist on your account. [workers.api.error.script_not_found]");
      const dlq = body.dead_letter_queue;
      if (dlq !== undefined && dlq !== "" && !this.queueByName(dlq)) throw fail(404, 11000, `Dead letter queue "${dlq}" does not exist`);
      if (dlq === q.queue_name) throw fail(400, 11005, "A queue cannot be its own dead letter queue");
      return {
        consumer_id: existing?.consumer_id ?? hex(16),
        type: "worker",
        script_name: scriptName,
        queue_name: q.queue_name,
        dead_letter_queue: dlq || undefined,
        settings: body.settings ?? {},
        created_on: existing?.created_on ?? now(),
      };
    };
    this.route("POST", "/accounts/:account/queues/:queue/consumers", (r) => {
      const q = queueById(r.params.queue);
      const c = consumerBody(q, r.json());
      if (q.consumers.some((x) => x.script_name === c.script_name)) throw fail(409, 11001, "This Worker is already a consumer of this queue");
      if (q.consumers.length) throw fail(400, 11002, "A queue can have only one Worker consumer");
      q.consumers.push(c);
      q.modified_on = now();
      return this.consumerJson(c);
    });
    this.route("PUT", "/accounts/:account/queues/:queue/consumers/:consumer", (r) => {
      const q = queueById(r.params.queue);
      const i = q.consumers.findIndex((c) => c.consumer_id === r.params.consumer);
      if (i < 0) throw fail(404, 11006, "Consumer does not exist");
      q.consumers[i] = consumerBody(q, r.json(), q.consumers[i]);
      q.modified_on = now();
      return this.consumerJson(q.consumers[i]);
    });
    this.route("DELETE", "/accounts/:account/queues/:queue/consumers/:consumer", (r) => {
      const q = queueById(r.params.queue);
      q.consumers = q.consumers.filter((c) => c.consumer_id !== r.params.consumer);
      return null;
    });

    // ---- Workers: scripts, versions, deployments, secrets, subdomain -----------------------------
    this.route("GET", "/accounts/:account/workers/services/:script", (r) => {
      const s = this.scripts.get(r.params.script);
      if (!s) throw fail(404, 10090, "workers.api.error.service_not_found");
      return {
        id: s.name,
        default_environment: { environment: "production", created_on: s.createdOn, modified_on: s.createdOn, script: this.scriptJson(s) },
        created_on: s.createdOn,
        modified_on: s.createdOn,
      };
    });
    this.route("PUT", "/accounts/:account/workers/scripts/:script", async (r) => {
      const { script, version } = await this.upload(r, r.params.script, true);
      return { ...this.scriptJson(script), deployment_id: version.id, startup_time_ms: 1 };
    });
    this.route("GET", "/accounts/:account/workers/scripts/:script/settings", (r) => {
      const s = this.script(r.params.script);
      return {
        bindings: this.deployedBindings(s),
        compatibility_date: this.deployedVersion(s.name)?.metadata.compatibility_date,
        logpush: false,
        observability: null,
        tail_consumers: null,
      };
    });
    this.route("POST", "/accounts/:account/workers/scripts/:script/versions", async (r) => {
      this.script(r.params.script);
      const { version } = await this.upload(r, r.params.script, false);
      const script = this.scriptJson(this.script(r.params.script));
      return {
        id: version.id,
        number: version.number,
        metadata: { source: "wrangler", created_on: version.createdOn, author_email: "author@example.com" },
        resources: { script: { etag: createHash("sha256").update(version.id).digest("hex"), handlers: script.handlers }, bindings: version.bindings },
        startup_time_ms: 1,
      };
    });
    this.route("GET", "/accounts/:account/workers/scripts/:script/versions", (r) => {
      const s = this.script(r.params.script);
      return { items: [...s.versions].reverse().map((v) => ({ id: v.id, number: v.number, metadata: { source: "wrangler", created_on: v.createdOn } })) };
    });
    this.route("POST", "/accounts/:account/workers/scripts/:script/deployments", (r) => {
      const s = this.script(r.params.script);
      const body = r.json();
      const versions: { version_id: string; percentage: number }[] = body.versions ?? [];
      const full = versions.find((v) => v.percentage === 100);
      if (!full || !s.versions.some((v) => v.id === full.version_id)) throw fail(400, 10221, "A deployment needs one known version at 100%");
      s.deployed = full.version_id;
      return { id: randomUUID(), source: "wrangler", strategy: body.strategy ?? "percentage", versions, created_on: now() };
    });
    this.route("GET", "/accounts/:account/workers/scripts/:script/deployments", (r) => {
      const s = this.script(r.params.script);
      return {
        deployments: s.deployed
          ? [{ id: randomUUID(), source: "wrangler", strategy: "percentage", versions: [{ version_id: s.deployed, percentage: 100 }], created_on: now() }]
          : [],
      };
    });
    this.route("PATCH", "/accounts/:account/workers/scripts/:script/script-settings", (r) => {
      const s = this.script(r.params.script);
      const body = r.json();
      s.settings = { ...s.settings, ...body };
      return { logpush: false, tail_consumers: null, observability: null, tags: [], ...s.settings };
    });
    this.route("PUT", "/accounts/:account/workers/scripts/:script/secrets", (r) => {
      const s = this.script(r.params.script);
      const { name, text, type } = r.json();
      if (type !== "secret_text" || typeof name !== "string" || typeof text !== "string")
        throw fail(400, 10021, "A secret needs a name, a text and type secret_text");
      s.secrets.set(name, text);
      // On Cloudflare, a secret change makes and deploys a new version with it.
      const current = this.deployedBindings(s).filter((b) => b.name !== name);
      const previous = s.versions.find((v) => v.id === s.deployed);
      const version: WorkerVersion = {
        id: randomUUID(),
        number: s.versions.length + 1,
        metadata: previous?.metadata ?? {},
        modules: previous?.modules ?? [],
        bindings: [...current, { type: "secret_text", name }],
        createdOn: now(),
      };
      s.versions.push(version);
      s.deployed = version.id;
      return { name, type };
    });
    this.route("DELETE", "/accounts/:account/workers/scripts/:script/secrets/:name", (r) => {
      const s = this.script(r.params.script);
      if (!s.secrets.delete(r.params.name)) throw fail(404, 10056, `Secret ${r.params.name} not found`);
      // Like a secret change, a deletion makes and deploys a new version without it.
      const previous = s.versions.find((v) => v.id === s.deployed);
      const version: WorkerVersion = {
        id: randomUUID(),
        number: s.versions.length + 1,
        metadata: previous?.metadata ?? {},
        modules: previous?.modules ?? [],
        bindings: this.deployedBindings(s).filter((b) => b.name !== r.params.name),
        createdOn: now(),
      };
      s.versions.push(version);
      s.deployed = version.id;
      return null;
    });
    this.route("GET", "/accounts/:account/workers/scripts/:script/secrets", (r) =>
      [...this.script(r.params.script).secrets.keys()].map((name) => ({ name, type: "secret_text" })),
    );
    // The Workers API (the Worker as a whole, with its workers.dev subdomain settings).
    this.route("GET", "/accounts/:account/workers/workers/:script", (r) => {
      const s = this.script(r.params.script);
      const url = s.subdomain.enabled && this.workersDevSubdomain ? `https://${s.name}.${this.workersDevSubdomain}.workers.dev` : undefined;
      return {
        id: s.tag,
        name: s.name,
        created_on: s.createdOn,
        updated_on: this.deployedVersion(s.name)?.createdOn ?? s.createdOn,
        subdomain: { enabled: s.subdomain.enabled, previews_enabled: s.subdomain.previews_enabled, ...(url ? { url } : {}) },
        observability: { enabled: false },
        logpush: false,
        tags: [],
        tail_consumers: [],
      };
    });
    this.route("GET", "/accounts/:account/workers/subdomain", () => {
      if (!this.workersDevSubdomain) throw fail(404, 10007, "workers.api.error.subdomain_not_found");
      return { subdomain: this.workersDevSubdomain };
    });
    // A brand-new account has none: it is registered once (by wrangler's question or npm run provision).
    this.route("PUT", "/accounts/:account/workers/subdomain", (r) => {
      const { subdomain } = r.json();
      if (typeof subdomain !== "string" || !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(subdomain))
        throw fail(400, 10033, `"${subdomain}" is not a valid workers.dev subdomain`);
      if (this.takenSubdomains.has(subdomain)) throw fail(409, 10031, "Subdomain unavailable");
      if (this.workersDevSubdomain && this.workersDevSubdomain !== subdomain)
        throw fail(409, 10036, `This account already has the workers.dev subdomain ${this.workersDevSubdomain}`);
      this.workersDevSubdomain = subdomain;
      return { subdomain };
    });
    this.route("GET", "/accounts/:account/workers/subdomains/:name", (r) => {
      // Cloudflare answers availability with an error code: 10032 free, 10031 taken.
      if (this.takenSubdomains.has(r.params.name) || this.workersDevSubdomain === r.params.name) throw fail(409, 10031, "Subdomain unavailable");
      throw fail(404, 10032, "Subdomain available");
    });
    this.route("GET", "/accounts/:account/workers/scripts/:script/subdomain", (r) => this.script(r.params.script).subdomain);
    this.route("POST", "/accounts/:account/workers/scripts/:script/subdomain", (r) => {
      const s = this.script(r.params.script);
      const body = r.json();
      if (body.enabled && !this.workersDevSubdomain) throw fail(400, 10063, "workers.dev subdomain required: register one for the account first");
      s.subdomain = {
        enabled: Boolean(body.enabled),
        previews_enabled: body.previews_enabled === undefined ? Boolean(body.enabled) : Boolean(body.previews_enabled),
      };
      return s.subdomain;
    });
    this.route("GET", "/accounts/:account/workers/scripts/:script/schedules", (r) => ({ schedules: this.script(r.params.script).schedules }));
    this.route("PUT", "/accounts/:account/workers/scripts/:script/schedules", (r) => {
      const s = this.script(r.params.script);
      const body = r.json();
      if (!Array.isArray(body) || body.some((x) => typeof x?.cron !== "string")) throw fail(400, 10021, "The body must be an array of { cron }");
      const invalid = body.map((x) => cronProblem(x.cron)).filter(Boolean) as string[];
      if (invalid.length)
        throw new ApiFailure(
          400,
          invalid.map((message) => ({ code: 10100, message: `Invalid cron expression: ${message}` })),
        );
      const others = [...this.scripts.values()].filter((x) => x !== s).reduce((n, x) => n + x.schedules.length, 0);
      const most = LIMITS.cronTriggersPerAccount[this.plan];
      if (others + body.length > most)
        throw fail(400, 10100, `Too many cron triggers: ${others + body.length} on the account, the ${this.plan} plan allows ${most}`);
      s.schedules = body.map((x) => ({ cron: x.cron }));
      return { schedules: s.schedules.map((x) => ({ ...x, created_on: now(), modified_on: now() })) };
    });

    // ---- Static assets: upload session, buckets, completion token --------------------------------
    this.route("POST", "/accounts/:account/workers/scripts/:script/assets-upload-session", (r) => {
      const { manifest } = r.json();
      if (!manifest || typeof manifest !== "object") throw fail(400, 10021, "The assets upload session needs a manifest");
      this.assetManifests.push(manifest);
      const entries = Object.entries(manifest as Record<string, { hash: string; size: number }>);
      if (entries.length > LIMITS.assetFiles[this.plan])
        throw fail(
          400,
          10021,
          `${entries.length} static asset files, over the ${LIMITS.assetFiles[this.plan]} a Worker version may have on the ${this.plan} plan`,
        );
      const big = entries.filter(([, e]) => e.size > LIMITS.assetBytes).map(([path]) => path);
      if (big.length) throw fail(400, 10021, `static asset(s) over 25 MiB, the most one file may be: ${big.join(", ")}`);
      const missing = [...new Set(Object.values(manifest as Record<string, { hash: string }>).map((e) => e.hash))].filter((h) => !this.assets.has(h));
      const jwt = `standin-assets.${hex(16)}`;
      const session: AssetSession = { script: r.params.script, manifest, pending: new Set(missing), completed: missing.length === 0 };
      this.sessions.set(jwt, session);
      // Buckets of up to 10 hashes, as Cloudflare hands them out.
      const buckets: string[][] = [];
      for (let i = 0; i < missing.length; i += 10) buckets.push(missing.slice(i, i + 10));
      if (!missing.length) {
        const done = `standin-assets-complete.${hex(16)}`;
        this.sessions.set(done, session);
        return { jwt: done, buckets: [] };
      }
      return { jwt, buckets };
    });
    // Asset uploads carry the upload session's token, not the account's.
    this.route(
      "POST",
      "/accounts/:account/workers/assets/upload",
      async (r) => {
        this.account(r);
        const auth = String(r.headers.authorization ?? "");
        const session = this.sessions.get(auth.replace(/^Bearer /, ""));
        if (!session) throw fail(401, 10000, "Authentication error (the upload needs the upload session's token)");
        if (r.query.get("base64") !== "true") throw fail(400, 10021, "Cloudflare stand-in: only base64=true uploads are modelled");
        const form = await r.form();
        const uploaded: string[] = [];
        const byHash = new Map(Object.entries(session.manifest).map(([p, e]) => [e.hash, p]));
        for (const [hash, value] of form.entries()) {
          if (!session.pending.has(hash) && !this.assets.has(hash)) throw fail(400, 10021, `Asset ${hash} was not asked for in this session`);
          const base64 = typeof value === "string" ? value : await value.text();
          const content = Buffer.from(base64, "base64");
          const path = byHash.get(hash) ?? "";
          const expected = blake3(base64 + extname(path).slice(1))
            .toString("hex")
            .slice(0, 32);
          if (expected !== hash) throw fail(400, 10021, `Asset ${path} does not match its hash ${hash}`);
          this.assets.set(hash, content);
          session.pending.delete(hash);
          uploaded.push(hash);
        }
        this.assetUploads.push(uploaded);
        if (session.pending.size === 0) {
          session.completed = true;
          const done = `standin-assets-complete.${hex(16)}`;
          this.sessions.set(done, session);
          return { jwt: done };
        }
        return {};
      },
      false,
    );
  }
}

/** `node test/cloudflare-standin/standin.ts [--port N]`: a stand-in to rehearse by hand. */
if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf("--port");
  const standin = await CloudflareStandin.start({ port: at > 0 ? Number(process.argv[at + 1]) : 8790 });
  console.log(`Cloudflare stand-in on ${standin.apiBase} (not Cloudflare: nothing leaves this machine). In another shell:`);
  for (const [k, v] of Object.entries(standin.env())) console.log(`  export ${k}=${v}`);
  console.log("  export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false");
  console.log(`  export NODE_OPTIONS="--import ${new URL("no-other-hosts.mjs", import.meta.url).pathname}"   # refuses every other host`);
  console.log("Every call is printed here; unknown ones are marked ✘.");
  let shown = 0;
  setInterval(() => {
    for (const c of standin.calls.slice(shown))
      console.log(
        `${c.route === "unknown" ? "✘" : c.status < 400 ? "·" : "!"} ${c.method} ${c.path} → ${c.status}${c.errorCode ? ` [code: ${c.errorCode}]` : ""}`,
      );
    shown = standin.calls.length;
  }, 200);
}
