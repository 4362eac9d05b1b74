// The stand-in for Cloudflare's API itself (test/cloudflare-standin/standin.ts), without wrangler:
// what it does not know is an error naming the call; it checks credentials as Cloudflare does; D1
// statements run on a real SQLite and read back; uploads are checked against what was promised.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloudflareStandin, ROUTE_DOCS, splitSql } from "../cloudflare-standin/standin.ts";

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
