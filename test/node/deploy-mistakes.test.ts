// The mistakes a new author makes on a first deploy, tried against the stand-in for Cloudflare's API
// (test/cloudflare-standin) with the real wrangler: not logged in, a token Cloudflare refuses, a
// placeholder id left in wrangler.toml, a secret not set, a missing queue, a name already taken.
// Each must end on one line (the last on stderr) naming the command that fixes it, and must not
// send what it should not. And `npm run deploy -- --dry-run` prints the whole plan, sending nothing.
// The deploy that goes right is in deploy-rehearsal.test.ts.
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/content.ts";
import { isPlaceholderId, queueNames } from "../../scripts/deploy.ts";
import { callsTo, expectClean, expectExit, Rehearsal, REHEARSAL_TIMEOUT as TIMEOUT } from "../cloudflare-standin/rehearsal.ts";
import { CloudflareStandin } from "../cloudflare-standin/standin.ts";

const WORDPRESS = join(ROOT, "test", "fixtures", "import", "wordpress.xml");

/** A fresh copy for one test, removed after it. */
async function withCopy(standin: CloudflareStandin, test: (r: Rehearsal) => Promise<void>): Promise<void> {
  const r = new Rehearsal(standin);
  try {
    await test(r);
    expectClean(r);
  } finally {
    r.remove();
  }
}

describe("the mistakes a new author makes, each answered in one line with the command that fixes it", () => {
  let standin: CloudflareStandin;
  const started = Date.now();
  beforeAll(async () => {
    standin = await CloudflareStandin.start();
  });
  afterAll(async () => {
    await standin?.close();
    console.log(`deploy mistakes: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it("npm run deploy -- --dry-run on a fresh copy prints the whole plan, says it would stop at the placeholders, and sends nothing", {
    timeout: TIMEOUT,
  }, async () => {
    await withCopy(standin, async (r) => {
      const mark = standin.mark();
      const run = await r.npm(["deploy", "--", "--dry-run"]);
      expectExit(run, 0);
      const config = r.config();
      expect(run.stdout).toContain("Nothing is sent to Cloudflare");
      for (const kv of config.kv_namespaces ?? []) expect(run.stdout).toContain(`KV namespace ${kv.binding}`);
      for (const m of readdirSync(join(r.project, "migrations")).filter((f) => f.endsWith(".sql"))) expect(run.stdout).toContain(m);
      for (const q of queueNames(config)) expect(run.stdout).toContain(q);
      for (const s of config.secrets?.required ?? []) expect(run.stdout).toContain(s);
      for (const name of Object.keys(config.vars ?? {})) expect(run.stdout).toContain(name);
      expect(run.stdout).toMatch(/would stop at step 0: .*placeholder id.*`npm run provision`/);
      // wrangler's own dry run ran to its end (the Worker bundles) without a call to the API.
      expect(run.stdout).toContain("--dry-run: exiting now.");
      expect(standin.since(mark)).toEqual([]);
    });
  });

  it("not logged in: npm run provision says to run npx wrangler login, and nothing is sent", { timeout: TIMEOUT }, async () => {
    await withCopy(standin, async (r) => {
      const mark = standin.mark();
      const run = await r.npm(["provision"], { CLOUDFLARE_API_TOKEN: undefined, CLOUDFLARE_ACCOUNT_ID: undefined });
      expectExit(run, 1);
      expect(run.last).toMatch(/^✘ npm run provision: Not logged in to Cloudflare: run `npx wrangler login`.*then run `npm run provision` again\.$/);
      expect(standin.since(mark)).toEqual([]);
    });
  });

  it("the network guard is live: without wrangler's cached answer, its question to the npm registry is refused and logged", { timeout: TIMEOUT }, async () => {
    const r = new Rehearsal(standin);
    try {
      rmSync(join(r.dir, "tmp", "update-check"), { recursive: true, force: true });
      const run = await r.npm(["provision"], { CLOUDFLARE_API_TOKEN: undefined, CLOUDFLARE_ACCOUNT_ID: undefined });
      expectExit(run, 1);
      expect(r.leaks()).toMatch(/tried to (connect to|look up) registry\.npmjs\.org/);
    } finally {
      r.remove();
    }
  });

  it("a token Cloudflare refuses: npm run provision says so and how to log in again, and changes nothing", { timeout: TIMEOUT }, async () => {
    await withCopy(standin, async (r) => {
      const toml = r.read("wrangler.toml");
      const mark = standin.mark();
      const run = await r.npm(["provision"], { CLOUDFLARE_API_TOKEN: "a-token-cloudflare-does-not-know" });
      expectExit(run, 1);
      expect(run.last).toMatch(
        /^✘ npm run provision: Cloudflare refused your credentials.*: run `npx wrangler login` again.*then run `npm run provision` again\.$/,
      );
      const sent = standin.since(mark);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.every((c) => c.status === 401 || c.status === 403)).toBe(true);
      expect(r.read("wrangler.toml")).toBe(toml);
    });
  });

  it("a placeholder id left in wrangler.toml: deploy, export --remote and import --remote refuse before sending anything", { timeout: TIMEOUT }, async () => {
    await withCopy(standin, async (r) => {
      const mark = standin.mark();
      const deploy = await r.npm(["deploy"]);
      expectExit(deploy, 1);
      expect(deploy.last).toMatch(
        /^✘ npm run deploy: wrangler\.toml still has a placeholder id for the KV namespace POSTS .*run `npm run provision` once .*then `npm run deploy` again\.$/,
      );
      const exported = await r.npm(["export", "--", "--remote"]);
      expectExit(exported, 1);
      expect(exported.last).toMatch(/placeholder id .*`npm run provision`.*then `npm run export -- --remote` again\.$/);
      const imported = await r.npm(["import", "--", WORDPRESS, "--remote"]);
      expectExit(imported, 1);
      expect(imported.last).toMatch(/placeholder id .*`npm run provision`.*then `npm run import -- wordpress\.xml --remote` again\.$/);
      expect(standin.since(mark)).toEqual([]);
    });
  });

  it("a secret not set: npm run deploy stops before writing anything and names the command that sets it", { timeout: TIMEOUT }, async () => {
    await withCopy(standin, async (r) => {
      r.provisionDirectly({ secrets: ["SIGNING_SECRET"] });
      const mark = standin.mark();
      const run = await r.npm(["deploy"]);
      expectExit(run, 1);
      expect(run.last).toMatch(
        /^✘ npm run deploy: Secret SIGNING_SECRET not set on the Worker "billet": run `npm run provision` .*`npx wrangler secret put SIGNING_SECRET`, then `npm run deploy` again\.$/,
      );
      expect(standin.since(mark).map((c) => c.route)).toEqual(["GET /accounts/:account/workers/scripts/:script/secrets"]);
    });
  });

  it("the queues never created: wrangler makes the producer's, and npm run deploy names the dead-letter queue to create", { timeout: TIMEOUT }, async () => {
    await withCopy(standin, async (r) => {
      const config = r.config();
      const dlq = config.queues!.consumers![0].dead_letter_queue!;
      r.provisionDirectly({ queues: queueNames(config) });
      const mark = standin.mark();
      const run = await r.npm(["deploy"]);
      expectExit(run, 1);
      expect(run.last).toMatch(
        new RegExp(
          `^✘ npm run deploy: The queue ${dlq} does not exist on your Cloudflare account: run \`npx wrangler queues create ${dlq}\`.*then run \`npm run deploy\` again\\.$`,
        ),
      );
      // wrangler deploy creates a producer's missing queue itself (its automatic provisioning),
      // not the dead-letter queue, so the consumer could not be set.
      expect(callsTo(standin.since(mark), "POST /accounts/:account/queues").map((c) => (c.body as { queue_name: string }).queue_name)).toEqual(
        (config.queues?.producers ?? []).map((p) => p.queue),
      );
      expect(standin.queueNamed(config.queues!.consumers![0].queue)!.consumers).toEqual([]);
    });
  });

  it("npm run provision on an account already set up creates nothing, uses the queues as they are and keeps the secrets", { timeout: TIMEOUT }, async () => {
    await withCopy(standin, async (r) => {
      r.provisionDirectly();
      const before = {
        toml: r.read("wrangler.toml"),
        secrets: new Map(standin.scripts.get("billet")!.secrets),
        kv: standin.kv.size,
        d1: standin.d1.size,
        queues: standin.queues.size,
      };
      const mark = standin.mark();
      const run = await r.npm(["provision"]);
      expectExit(run, 0);
      expect(run.stdout).toMatch(/already exists on your account: used as is/);
      expect(run.stdout).toMatch(/secret ADMIN_TOKEN already set: kept/);
      expect(r.read("wrangler.toml")).toBe(before.toml);
      expect(standin.scripts.get("billet")!.secrets).toEqual(before.secrets);
      expect([standin.kv.size, standin.d1.size, standin.queues.size]).toEqual([before.kv, before.d1, before.queues]);
      // Only reads, creations the account refused because the name was there, and D1's read
      // replication turned on once (this account was set up by hand, without it).
      const writes = standin.since(mark).filter((c) => c.method !== "GET" && c.status < 400);
      expect(writes.map((c) => [c.route, c.body])).toEqual([["PATCH /accounts/:account/d1/database/:db", { read_replication: { mode: "auto" } }]]);
    });
  });

  it("a name already taken: npm run provision keeps what it made and says how to use or avoid the existing database", { timeout: TIMEOUT }, async () => {
    // Another project on the account already has a D1 database called "billet".
    const other = await CloudflareStandin.start();
    other.createD1Database("billet");
    try {
      await withCopy(other, async (r) => {
        const run = await r.npm(["provision"]);
        expectExit(run, 1);
        expect(run.last).toMatch(
          /^✘ npm run provision: A D1 database named "billet" already exists on your Cloudflare account: .*`npx wrangler d1 info billet`.*then `npm run provision` again\.$/,
        );
        // The KV namespace made first stays in wrangler.toml, so provision goes on from there next time.
        const config = r.config();
        expect(isPlaceholderId(config.kv_namespaces![0].id)).toBe(false);
        expect(isPlaceholderId(config.d1_databases![0].database_id)).toBe(true);
      });
    } finally {
      await other.close();
    }
  });
});
