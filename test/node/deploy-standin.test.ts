// The stand-in for Cloudflare's API itself (test/cloudflare-standin/standin.ts), without wrangler:
// what it does not know is an error naming the call; it checks credentials as Cloudflare does; D1
// statements run on a real SQLite and read back; uploads are checked against what was promised.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/content.ts";
import { cloudflareApi, enableReadReplication } from "../../scripts/cloudflare-api.ts";
import { CloudflareStandin, cronProblem, headersProblems, LIMITS, ROUTE_DOCS, redirectsProblems, splitSql } from "../cloudflare-standin/standin.ts";

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely
type Json = any;

describe("the Cloudflare stand-in", () => {
  let standin: CloudflareStandin;
  let auth: Record<string, string>;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${standin.apiBase}/accounts/${standin.accountId}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as { success: boolean; errors: { code: number; message: string }[]; result: unknown } }),
    );
  beforeAll(async () => {
    standin = await CloudflareStandin.start();
    auth = { authorization: `Bearer ${standin.token}`, "content-type": "application/json" };
  });
  afterAll(() => standin.close());

  it("answers a call it does not know with an error that names it, and keeps it aside", async () => {
    const { status, body } = await api("/workers/scripts/billet/tails", { method: "POST", body: "{}" });
    expect(status).toBe(404);
    expect(body.success).toBe(false);
    expect(body.errors[0].message).toContain(`no answer for POST /accounts/${standin.accountId}/workers/scripts/billet/tails`);
    expect(standin.unknown.map((c) => `${c.method} ${c.path}`)).toEqual([`POST /accounts/${standin.accountId}/workers/scripts/billet/tails`]);
    standin.unknown.length = 0;
  });

  it("says where Cloudflare documents each call it answers", () => {
    for (const [route, where] of Object.entries(ROUTE_DOCS))
      expect(where, route).toMatch(/^https:\/\/developers\.cloudflare\.com\/api\/resources\/.+\/$|^[a-z]/);
  });

  it("refuses a missing, wrong or other account's credentials as Cloudflare does", async () => {
    const none = await fetch(`${standin.apiBase}/accounts/${standin.accountId}/queues`);
    expect(none.status).toBe(400);
    const wrong = await fetch(`${standin.apiBase}/accounts/${standin.accountId}/queues`, { headers: { authorization: "Bearer nope" } });
    expect(((await wrong.json()) as { errors: { code: number }[] }).errors[0].code).toBe(10000);
    const other = await fetch(`${standin.apiBase}/accounts/${"f".repeat(32)}/queues`, { headers: auth });
    expect(other.status).toBe(403);
  });

  it("runs D1 SQL on a real SQLite, a batch all or nothing, and reads it back", async () => {
    const created = await api("/d1/database", { method: "POST", body: JSON.stringify({ name: "scratch" }) });
    const uuid = (created.body.result as { uuid: string }).uuid;
    const query = (sql: string, params: unknown[] = []) => api(`/d1/database/${uuid}/query`, { method: "POST", body: JSON.stringify({ sql, params }) });
    await query("CREATE TABLE t (x integer); CREATE TRIGGER tt AFTER INSERT ON t BEGIN SELECT 1; END; INSERT INTO t VALUES (1);");
    const failed = await query("INSERT INTO t VALUES (2); INSERT INTO nowhere VALUES (3);");
    expect(failed.body.success).toBe(false);
    const read = await query("SELECT x FROM t WHERE x >= ?", [1]);
    expect((read.body.result as { results: unknown[] }[])[0].results).toEqual([{ x: 1 }]);
    expect((await query("BEGIN TRANSACTION")).body.errors[0].message).toMatch(/not authorized/);
  });

  it("splits SQL as SQLite reads it: quotes, comments and trigger bodies", () => {
    expect(splitSql("SELECT ';'; -- a;comment\nCREATE TRIGGER x AFTER INSERT ON t BEGIN UPDATE t SET a = CASE WHEN 1 THEN 2 END; END;\nSELECT 2")).toEqual([
      "SELECT ';'",
      "-- a;comment\nCREATE TRIGGER x AFTER INSERT ON t BEGIN UPDATE t SET a = CASE WHEN 1 THEN 2 END; END",
      "SELECT 2",
    ]);
  });

  it("refuses a Worker upload whose bindings point at nothing on the account", async () => {
    const form = new FormData();
    form.set("metadata", JSON.stringify({ main_module: "index.js", bindings: [{ type: "kv_namespace", name: "POSTS", namespace_id: "0".repeat(32) }] }));
    form.set("index.js", new File(["export default {}"], "index.js", { type: "application/javascript+module" }));
    const r = await fetch(`${standin.apiBase}/accounts/${standin.accountId}/workers/scripts/billet`, {
      method: "PUT",
      body: form,
      headers: { authorization: auth.authorization },
    });
    const body = (await r.json()) as { errors: { code: number; message: string }[] };
    expect(body.errors[0]).toMatchObject({ code: 10041 });
  });
});

describe("Cloudflare's limits, enforced by the stand-in: each crossed by one", () => {
  let standin: CloudflareStandin;
  let auth: Record<string, string>;
  const base = () => `${standin.apiBase}/accounts/${standin.accountId}`;
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${base()}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } }).then(
      async (r) => (await r.json()) as { success: boolean; errors: { code: number; message: string }[]; result: Json },
    );
  const json = (method: string, body: unknown) => ({ method, body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  /** A Worker upload (no bindings) with the given module text and metadata. */
  const upload = (name: string, code: string | Uint8Array<ArrayBuffer>, metadata: Record<string, unknown> = {}) => {
    const form = new FormData();
    form.set("metadata", JSON.stringify({ main_module: "index.js", bindings: [], ...metadata }));
    form.set("index.js", new File([code], "index.js", { type: "application/javascript+module" }));
    return call(`/workers/scripts/${name}`, { method: "PUT", body: form });
  };
  beforeAll(async () => {
    standin = await CloudflareStandin.start();
    auth = { authorization: `Bearer ${standin.token}` };
  });
  afterAll(() => standin.close());

  it("D1: a statement up to 100,000 bytes and 100 bound parameters runs; one byte or one parameter more is refused", async () => {
    const db = ((await call("/d1/database", json("POST", { name: "limits" }))).result as { uuid: string }).uuid;
    const query = (sql: string, params: unknown[] = []) => call(`/d1/database/${db}/query`, json("POST", { sql, params }));
    const select = (bytes: number) => `SELECT '${"é".repeat(Math.floor((bytes - 9) / 2))}${"x".repeat((bytes - 9) % 2)}'`;
    expect(Buffer.byteLength(select(LIMITS.d1StatementBytes))).toBe(LIMITS.d1StatementBytes);
    expect((await query(select(LIMITS.d1StatementBytes))).success).toBe(true);
    const long = await query(select(LIMITS.d1StatementBytes + 1));
    expect(long.success).toBe(false);
    expect(long.errors[0].message).toMatch(/statement too long/);
    // Also inside a batch (an import file of many statements).
    expect((await query(`SELECT 1; ${select(LIMITS.d1StatementBytes + 1)}`)).success).toBe(false);
    const marks = (n: number) => `SELECT ${Array.from({ length: n }, () => "?").join(" + ")} AS total`;
    const ok = await query(
      marks(100),
      Array.from({ length: 100 }, () => 1),
    );
    expect(ok.result[0].results).toEqual([{ total: 100 }]);
    const tooMany = await query(
      marks(101),
      Array.from({ length: 101 }, () => 1),
    );
    expect(tooMany.errors[0].message).toMatch(/too many SQL variables/);
  });

  it("cron triggers: five fields in range; at most 5 on a free account, however many Workers hold them", async () => {
    for (const cron of ["17 3 * * *", "*/5 * * * *", "0 0 1 JAN,JUL MON-FRI", "0 12 L * *", "30 2 * * SUN#2"]) expect(cronProblem(cron), cron).toBeNull();
    for (const cron of ["17 3 * *", "60 * * * *", "0 24 * * *", "0 0 0 * *", "* * * 13 *", "*/0 * * * *", "a b c d e", "* * * * * *"])
      expect(cronProblem(cron), cron).not.toBeNull();
    expect((await upload("cron-a", "export default {}")).success).toBe(true);
    expect((await upload("cron-b", "export default {}")).success).toBe(true);
    const schedules = (name: string, crons: string[]) =>
      call(
        `/workers/scripts/${name}/schedules`,
        json(
          "PUT",
          crons.map((cron) => ({ cron })),
        ),
      );
    expect((await schedules("cron-a", ["0 25 * * *"])).errors[0]).toMatchObject({ code: 10100 });
    expect((await schedules("cron-a", ["1 * * * *", "2 * * * *", "3 * * * *"])).success).toBe(true);
    expect((await schedules("cron-b", ["4 * * * *", "5 * * * *"])).success).toBe(true);
    const sixth = await schedules("cron-b", ["4 * * * *", "5 * * * *", "6 * * * *"]);
    expect(sixth.errors[0].message).toMatch(/Too many cron triggers: 6 .* allows 5/);
  });

  it("rate limits: a period of 10 or 60 seconds, nothing else", async () => {
    const limiter = (period: number) => ({ bindings: [{ type: "ratelimit", name: "LIMITER", namespace_id: "1001", simple: { limit: 5, period } }] });
    expect((await upload("rl", "export default {}", limiter(10))).success).toBe(true);
    expect((await upload("rl", "export default {}", limiter(60))).success).toBe(true);
    for (const period of [0, 30, 61, 3600])
      expect((await upload("rl", "export default {}", limiter(period))).errors[0].message).toMatch(/period must be 10 or 60/);
  });

  it("Worker size: 3 MiB compressed on a free account; one that does not compress under it is refused", async () => {
    // Random bytes do not compress: just under and just over the limit once gzipped.
    const random = (n: number) => {
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(n, i + 65536)));
      return bytes;
    };
    expect((await upload("small", random(LIMITS.workerGzipBytes.free - 64 * 1024))).success).toBe(true);
    const big = await upload("big", random(LIMITS.workerGzipBytes.free + 1024));
    expect(big.errors[0]).toMatchObject({ code: 10027 });
    expect(big.errors[0].message).toMatch(/exceeded the size limit of 3 MiB/);
    expect(standin.scripts.has("big")).toBe(false);
  });

  it("static assets: 20,000 files a version on a free account and 25 MiB a file", async () => {
    const manifest = (n: number, size = 10) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`/f/${i}.txt`, { hash: i.toString(16).padStart(32, "0"), size }]));
    const session = (m: unknown) => call("/workers/scripts/assets/assets-upload-session", json("POST", { manifest: m }));
    expect((await session(manifest(LIMITS.assetFiles.free))).success).toBe(true);
    expect((await session(manifest(LIMITS.assetFiles.free + 1))).errors[0].message).toMatch(/20001 static asset files, over the 20000/);
    expect((await session(manifest(3, LIMITS.assetBytes))).success).toBe(true);
    expect((await session(manifest(3, LIMITS.assetBytes + 1))).errors[0].message).toMatch(/over 25 MiB.*\/f\/0\.txt, \/f\/1\.txt, \/f\/2\.txt/);
  });

  it("_redirects: 2,000 static and 100 dynamic rules, each from, to and a known status; _headers: 100 rules of Name: value", async () => {
    const statics = (n: number) => Array.from({ length: n }, (_, i) => `/old/${i} /new/${i} 301`).join("\n");
    const dynamics = (n: number) => Array.from({ length: n }, (_, i) => `/d${i}/* /n${i}/:splat 302`).join("\n");
    expect(redirectsProblems(`# comment\n\n${statics(LIMITS.redirectsStatic)}\n${dynamics(LIMITS.redirectsDynamic)}`)).toEqual([]);
    expect(redirectsProblems(statics(LIMITS.redirectsStatic + 1))).toEqual(["_redirects has 2001 static rules, over Cloudflare's 2000"]);
    expect(redirectsProblems(dynamics(LIMITS.redirectsDynamic + 1))).toEqual(["_redirects has 101 dynamic rules, over Cloudflare's 100"]);
    expect(redirectsProblems("/a /b 404\n/only-one\nold /b\n/a /b 301 extra")).toHaveLength(4);
    const rules = (n: number) => Array.from({ length: n }, (_, i) => `/p${i}/*\n  Cache-Control: no-store\n  ! X-Robots-Tag`).join("\n");
    expect(headersProblems(rules(LIMITS.headersRules))).toEqual([]);
    expect(headersProblems(rules(LIMITS.headersRules + 1))).toEqual(["_headers has 101 rules, over Cloudflare's 100"]);
    expect(headersProblems("  X-Before: path\n/a\n  no colon here\nnot-a-path")).toHaveLength(3);
    // The build's own files are within every limit, and an upload carrying too many rules is refused.
    for (const [file, check] of [
      ["_redirects", redirectsProblems],
      ["_headers", headersProblems],
    ] as const) {
      const path = join(ROOT, "public", file);
      if (existsSync(path)) expect(check(readFileSync(path, "utf8")), file).toEqual([]);
    }
    const refused = await upload("rules", "export default {}", { assets: { jwt: "none", config: { _redirects: statics(LIMITS.redirectsStatic + 1) } } });
    expect(refused.errors[0].message).toMatch(/2001 static rules/);
  });

  it("survives a client that goes away mid-request, and answers the next one", async () => {
    const controller = new AbortController();
    const slow = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"title":'));
        setTimeout(() => controller.abort(), 50);
      },
    });
    await expect(
      fetch(`${base()}/storage/kv/namespaces`, {
        method: "POST",
        body: slow,
        headers: { ...auth, "content-type": "application/json" },
        signal: controller.signal,
        duplex: "half",
      } as RequestInit),
    ).rejects.toThrow();
    // The abort reaches the server on its own time: wait for it to have seen it, however long that takes.
    while (standin.aborted === 0) await new Promise((go) => setTimeout(go, 20));
    expect((await call("/storage/kv/namespaces")).success).toBe(true);
  });
});

describe("the Cloudflare stand-in: D1 read replication", () => {
  let standin: CloudflareStandin;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${standin.apiBase}/accounts/${standin.accountId}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${standin.token}`, "content-type": "application/json" },
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { result: unknown } }));
  beforeAll(async () => {
    standin = await CloudflareStandin.start();
  });
  afterAll(() => standin.close());

  it("D1 read replication: off when a database is created; provision's call turns it on, once", async () => {
    const created = await api("/d1/database", { method: "POST", body: JSON.stringify({ name: "replicated" }) });
    const id = (created.body.result as { uuid: string }).uuid;
    expect(((await api(`/d1/database/${id}`)).body.result as Json).read_replication).toEqual({ mode: "disabled" });
    const client = await cloudflareApi({
      CLOUDFLARE_API_TOKEN: standin.token,
      CLOUDFLARE_ACCOUNT_ID: standin.accountId,
      CLOUDFLARE_API_BASE_URL: standin.apiBase,
    });
    expect(await enableReadReplication(client!, id)).toBe("enabled");
    expect(((await api(`/d1/database/${id}`)).body.result as Json).read_replication).toEqual({ mode: "auto" });
    expect(await enableReadReplication(client!, id)).toBe("already");
    const wrong = await api(`/d1/database/${id}`, { method: "PATCH", body: JSON.stringify({ read_replication: { mode: "everywhere" } }) });
    expect(wrong.status).toBe(400);
  });
});
