// The author's first deploy, rehearsed end to end with the real wrangler: on a fresh copy of the
// project, `npm run provision`, `npm run deploy`, `npm run import -- … --remote`,
// `npm run export -- --remote` and `npm run deploy` again run unchanged, with wrangler pointed
// (CLOUDFLARE_API_BASE_URL) at a recording stand-in for Cloudflare's v4 API on 127.0.0.1
// (test/cloudflare-standin). What must reach the account is read from the stand-in; that nothing
// else went anywhere is read from the rehearsal's network log (see test/cloudflare-standin/rehearsal.ts).
// The mistakes a new author makes are in deploy-mistakes.test.ts.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/content.ts";
import { isPlaceholderId, queueNames } from "../../scripts/deploy.ts";
import {
  assetManifest,
  callsTo as calls,
  CHECKED_CONFIG_KEYS,
  expectClean,
  expectedBindings,
  expectExit,
  Rehearsal,
  REHEARSAL_TIMEOUT as TIMEOUT,
} from "../cloudflare-standin/rehearsal.ts";
import { CloudflareStandin } from "../cloudflare-standin/standin.ts";

const byName = (a: { name?: unknown }, b: { name?: unknown }) => String(a.name).localeCompare(String(b.name));

describe("the author's first deploy, rehearsed against a stand-in for Cloudflare", () => {
  let standin: CloudflareStandin;
  let r: Rehearsal;
  let original: string;
  const started = Date.now();

  beforeAll(async () => {
    standin = await CloudflareStandin.start();
    r = new Rehearsal(standin);
    original = r.read("wrangler.toml");
  });
  afterAll(async () => {
    await standin?.close();
    r?.remove();
    console.log(`deploy rehearsal: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it("npm run provision creates the KV namespace, the D1 database, the queues and the secrets, and writes the real ids", { timeout: TIMEOUT }, async () => {
    const run = await r.npm(["provision"]);
    expectExit(run, 0);
    const config = r.config();
    const [kv] = config.kv_namespaces ?? [];
    const [db] = config.d1_databases ?? [];
    // Real ids, of what was created, in wrangler.toml; nothing else in the file changed.
    expect(isPlaceholderId(kv.id)).toBe(false);
    expect(standin.kv.get(kv.id!)?.title).toBe(`${config.name}-${kv.binding.toLowerCase()}`);
    expect(isPlaceholderId(db.database_id)).toBe(false);
    expect(standin.d1.get(db.database_id!)?.name).toBe(db.database_name);
    const changed = r
      .read("wrangler.toml")
      .split("\n")
      .filter((line, i) => line !== original.split("\n")[i]);
    expect(changed).toEqual([`id = "${kv.id}"`, `database_id = "${db.database_id}"`]);
    // Every queue, once; the secrets, random and long enough; the admin token shown is the one set.
    expect([...standin.queues.values()].map((q) => q.queue_name).sort()).toEqual(queueNames(config).sort());
    expect(calls(standin.calls, "POST /accounts/:account/queues")).toHaveLength(queueNames(config).length);
    // The media bucket, once.
    expect([...standin.r2.keys()]).toEqual((config.r2_buckets ?? []).map((b) => b.bucket_name));
    const secrets = standin.scripts.get(config.name)!.secrets;
    expect([...secrets.keys()].sort()).toEqual([...(config.secrets?.required ?? [])].sort());
    for (const value of secrets.values()) expect(value.length).toBeGreaterThanOrEqual(16);
    expect(run.stdout).toContain(`\n  ${secrets.get("ADMIN_TOKEN")}\n`);
    // A secret value is never in the record of the calls.
    expect(JSON.stringify(standin.calls)).not.toContain(secrets.get("SIGNING_SECRET"));
    expectClean(r);
  });

  it("npm run deploy sends the posts, the migrations in order once, and the Worker with every binding and the assets of public/", {
    timeout: TIMEOUT,
  }, async () => {
    const mark = standin.mark();
    const run = await r.npm(["deploy"]);
    expectExit(run, 0);
    const sent = standin.since(mark);
    const config = r.config();

    // Every post record, in the KV namespace of wrangler.toml.
    const records = JSON.parse(r.read("build/kv-posts.json")) as { key: string; value: string }[];
    const ns = standin.kv.get(config.kv_namespaces![0].id!)!;
    expect(records.length).toBeGreaterThan(1);
    for (const { key, value } of records) expect(ns.values.get(key)?.value).toBe(value);

    // The migrations, each once, in order, recorded in d1_migrations.
    const files = readdirSync(join(r.project, "migrations"))
      .filter((f) => f.endsWith(".sql"))
      .sort();
    const db = standin.d1.get(config.d1_databases![0].database_id!)!;
    expect((db.sqlite.prepare("SELECT name FROM d1_migrations ORDER BY id").all() as { name: string }[]).map((m) => m.name)).toEqual(files);
    const migrationCalls = calls(sent, "POST /accounts/:account/d1/database/:db/query").filter((c) =>
      /INSERT INTO "d1_migrations"/.test((c.body as { sql: string }).sql),
    );
    expect(migrationCalls.map((c) => /values \('([^']+)'\)/.exec((c.body as { sql: string }).sql)?.[1])).toEqual(files);
    expect(db.sqlite.prepare("SELECT count(*) AS n FROM comments").get()).toEqual({ n: 0 });
    // A migration asked for the spam filter's counts to be rebuilt (its features changed): done once the Worker was live.
    expect(db.sqlite.prepare("SELECT count(*) AS n FROM spam_features").get()).toEqual({ n: 0 });
    expect(run.stdout).toContain("The filter's memory was rebuilt from 0 spam and 0 ham (on Cloudflare).");

    // The Worker, with every binding of wrangler.toml and nothing else; the secrets kept (inherited).
    expect(Object.keys(config).filter((k) => !CHECKED_CONFIG_KEYS.includes(k))).toEqual([]);
    const script = standin.scripts.get(config.name)!;
    const version = standin.deployedVersion(config.name)!;
    expect(version.metadata.main_module).toBeTruthy();
    expect(version.metadata.compatibility_date).toBe(config.compatibility_date);
    expect([...version.metadata.bindings].sort(byName)).toEqual(expectedBindings(config).sort(byName));
    for (const name of config.secrets?.required ?? []) expect(version.bindings).toContainEqual({ type: "secret_text", name });
    expect(version.metadata.assets.config).toMatchObject({
      run_worker_first: config.assets?.run_worker_first,
      not_found_handling: config.assets?.not_found_handling,
      html_handling: config.assets?.html_handling,
      _headers: r.read("public/_headers"),
    });
    // Its queue consumer with the dead-letter queue, its cron triggers, its workers.dev address.
    for (const c of config.queues?.consumers ?? []) {
      expect(standin.queueNamed(c.queue)?.consumers).toEqual([
        expect.objectContaining({
          script_name: config.name,
          dead_letter_queue: c.dead_letter_queue,
          settings: expect.objectContaining({ batch_size: c.max_batch_size, max_retries: c.max_retries, max_wait_time_ms: (c.max_batch_timeout ?? 0) * 1000 }),
        }),
      ]);
    }
    expect(script.schedules.map((s) => s.cron)).toEqual(config.triggers?.crons ?? []);
    expect(script.subdomain.enabled).toBe(true);
    expect(run.stdout).toContain(`https://${config.name}.${standin.workersDevSubdomain}.workers.dev`);

    // The static assets: the manifest is public/ file by file, and every file was uploaded as it is.
    const manifest = assetManifest(join(r.project, "public"));
    expect(standin.assetManifests.at(-1)).toEqual(manifest);
    expect(new Set(standin.assetUploads.flat())).toEqual(new Set(Object.values(manifest).map((e) => e.hash)));
    for (const [path, { hash }] of Object.entries(manifest)) expect(standin.assets.get(hash)?.equals(readFileSync(join(r.project, "public", path)))).toBe(true);
    expectClean(r);
  });

  it("npm run import -- … --remote, then npm run export -- --remote gives back exactly what the import wrote", { timeout: TIMEOUT }, async () => {
    const config = r.config();
    const db = standin.d1.get(config.d1_databases![0].database_id!)!;
    const imported = await r.npm(["import", "--", join(ROOT, "test", "fixtures", "import", "wordpress.xml"), "--remote"]);
    expectExit(imported, 0);
    expect(imported.stdout).toContain("Comments applied to the remote D1 database.");
    const rows = db.sqlite.prepare("SELECT * FROM comments ORDER BY id").all() as Record<string, unknown>[];
    // One line per post: "→ N added, M already there".
    const added = [...imported.stdout.matchAll(/→ (\d+) added/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(rows.length).toBe(added);
    expect(added).toBeGreaterThan(0);

    const exported = await r.npm(["export", "--", "--remote", "--out", "export.json"]);
    expectExit(exported, 0);
    const file = JSON.parse(r.read("export.json")) as { count: number; comments: Record<string, unknown>[] };
    expect(file.count).toBe(rows.length);
    // Times come out as ISO 8601; read back as the stored milliseconds, every field is as written.
    const asStored = file.comments.map((c) =>
      Object.fromEntries(
        Object.entries(c).map(([k, v]) => [k, ["created_at", "edited_at", "updated_at"].includes(k) && typeof v === "string" ? Date.parse(v) : v]),
      ),
    );
    expect(asStored).toEqual(rows);
    expectClean(r);
  });

  it("a second npm run deploy uploads no unchanged asset and applies no migration twice", { timeout: TIMEOUT }, async () => {
    const config = r.config();
    const db = standin.d1.get(config.d1_databases![0].database_id!)!;
    const migrationsBefore = db.sqlite.prepare("SELECT * FROM d1_migrations").all();
    const versions = standin.scripts.get(config.name)!.versions.length;
    const before = new Set(Object.values(standin.assetManifests.at(-1)!).map((a) => a.hash));
    const mark = standin.mark();
    const run = await r.npm(["deploy"]);
    expectExit(run, 0);
    const sent = standin.since(mark);
    const now = assetManifest(join(r.project, "public"));
    expect(standin.assetManifests.at(-1)).toEqual(now);
    // Only what changed is sent: the posts and pages the import wrote, and what lists them (home,
    // feed, sitemap); nothing the first deploy uploaded goes again.
    const uploaded = calls(sent, "POST /accounts/:account/workers/assets/upload").flatMap((c) =>
      (c.body as { parts: { name: string }[] }).parts.map((p) => p.name),
    );
    expect(uploaded.filter((hash) => before.has(hash))).toEqual([]);
    expect(new Set(uploaded)).toEqual(
      new Set(
        Object.values(now)
          .map((a) => a.hash)
          .filter((hash) => !before.has(hash)),
      ),
    );
    expect(calls(sent, "POST /accounts/:account/d1/database/:db/query").filter((c) => /d1_migrations" \(name\)/.test((c.body as { sql: string }).sql))).toEqual(
      [],
    );
    expect(db.sqlite.prepare("SELECT * FROM d1_migrations").all()).toEqual(migrationsBefore);
    expect(standin.scripts.get(config.name)!.versions.length).toBe(versions + 1);
    // The comments imported are still there.
    expect((db.sqlite.prepare("SELECT count(*) AS n FROM comments").get() as { n: number }).n).toBeGreaterThan(0);
    expectClean(r);
  });
});
