// The first day of a real Cloudflare account, rehearsed with the real wrangler against the stand-in
// (test/cloudflare-standin): a brand-new account without a workers.dev subdomain, provision failing
// after the admin token is set (the token must not be lost), a secret deleted with wrangler, a
// deploy interrupted midway then run again, a token without a permission, a bundle that throws at
// start and the example address left in content/site.json. The deploy that goes right from the start
// is in deploy-rehearsal.test.ts, the other mistakes in deploy-mistakes.test.ts.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callsTo, expectClean, expectExit, Rehearsal, REHEARSAL_TIMEOUT as TIMEOUT } from "../cloudflare-standin/rehearsal.ts";
import { CloudflareStandin } from "../cloudflare-standin/standin.ts";

const UPLOAD = "PUT /accounts/:account/workers/scripts/:script";
const ASSETS = "POST /accounts/:account/workers/assets/upload";
const D1_SETTINGS = "PATCH /accounts/:account/d1/database/:db";

describe("a brand-new account, rehearsed from provision to a deploy interrupted and run again", () => {
  let standin: CloudflareStandin;
  let r: Rehearsal;
  let adminToken = "";
  const started = Date.now();
  beforeAll(async () => {
    // No workers.dev subdomain yet, and "billet" taken by someone else.
    standin = await CloudflareStandin.start({ workersDevSubdomain: null, takenSubdomains: ["billet"] });
    r = new Rehearsal(standin);
  });
  afterAll(async () => {
    await standin?.close();
    r?.remove();
    console.log(`deploy first day: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it("npm run provision without a subdomain creates everything else, shows and saves the admin token, then says how to choose one", {
    timeout: TIMEOUT,
  }, async () => {
    const run = await r.npm(["provision"]);
    expectExit(run, 1);
    expect(run.last).toMatch(
      /no workers\.dev subdomain yet.*`npm run provision -- --subdomain <name>`.*workers\/onboarding.*then `npm run provision` again\.$/,
    );
    // The failure came after the secrets: the admin token was shown and saved when it was set.
    const name = r.config().name;
    adminToken = standin.scripts.get(name)!.secrets.get("ADMIN_TOKEN")!;
    expect(adminToken.length).toBeGreaterThanOrEqual(16);
    expect(run.stdout).toContain(`\n  ${adminToken}\n`);
    expect(r.read(".admin-token").trim()).toBe(adminToken);
    expect(standin.workersDevSubdomain).toBeNull();
    // D1 read replication, turned on by provision before it went on to the queues and secrets.
    expect(run.stdout).toContain("✓ D1 read replication turned on for DB");
    expect([...standin.d1.values()].map((db) => db.readReplication)).toEqual(["auto"]);
    expectClean(r);
  });

  it("npm run deploy stops before sending anything while the account has no subdomain", { timeout: TIMEOUT }, async () => {
    const mark = standin.mark();
    const run = await r.npm(["deploy"]);
    expectExit(run, 1);
    expect(run.last).toMatch(/no workers\.dev subdomain yet.*`npm run provision -- --subdomain <name>`.*then `npm run deploy` again\.$/);
    // Only reads: no upload, no post record, no migration.
    expect(standin.since(mark).filter((c) => c.method !== "GET")).toEqual([]);
    expectClean(r);
  });

  it("npm run provision -- --subdomain: a taken name is refused, a free one registered; the secrets and the saved token are kept", {
    timeout: TIMEOUT,
  }, async () => {
    const taken = await r.npm(["provision", "--", "--subdomain", "billet"]);
    expectExit(taken, 1);
    expect(taken.last).toMatch(/The workers\.dev subdomain "billet" is taken: choose another/);
    expect(standin.workersDevSubdomain).toBeNull();
    const run = await r.npm(["provision", "--", "--subdomain", "carnet-arnaud"]);
    expectExit(run, 0);
    expect(standin.workersDevSubdomain).toBe("carnet-arnaud");
    expect(run.stdout).toContain("secret ADMIN_TOKEN already set: kept");
    expect(run.stdout).toContain("Email Routing");
    expect(r.read(".admin-token").trim()).toBe(adminToken);
    expect(standin.scripts.get(r.config().name)!.secrets.get("ADMIN_TOKEN")).toBe(adminToken);
    // Replication is asked about again and left as it is: turned on once over three provisions.
    expect(run.stdout).toContain("· D1 read replication for DB: already on");
    expect(callsTo(standin.calls, D1_SETTINGS)).toHaveLength(1);
    expectClean(r);
  });

  it("a deploy interrupted in the middle of the assets upload leaves the stand-in up, and the next deploy completes it", { timeout: TIMEOUT }, async () => {
    const config = r.config();
    standin.hold(ASSETS);
    const interrupted = r.start("npm", ["run", "--silent", "deploy"]);
    // Stopped while an asset upload is on its way (the stand-in holds it until then).
    while (standin.waiting === 0) await new Promise((go) => setTimeout(go, 100));
    interrupted.stop();
    const killed = await interrupted.done;
    expect(killed.code).not.toBe(0);
    standin.release();
    expect(standin.scripts.get(config.name)!.versions.some((v) => v.metadata.assets)).toBe(false);

    const mark = standin.mark();
    const run = await r.npm(["deploy"]);
    expectExit(run, 0);
    const sent = standin.since(mark);
    // This deploy uploaded the Worker (in one call, or as a version then deployed) with its assets.
    expect(sent.filter((c) => c.route === UPLOAD || c.route.endsWith("/versions")).map((c) => c.status)).toContain(200);
    expect(standin.deployedVersion(config.name)!.metadata.assets).toBeTruthy();
    const script = standin.scripts.get(config.name)!;
    expect(script.schedules.map((s) => s.cron)).toEqual(config.triggers?.crons ?? []);
    expect(script.subdomain.enabled).toBe(true);
    for (const c of config.queues?.consumers ?? [])
      expect(
        standin.queueNamed(c.queue)?.consumers.map((x) => x.script_name),
        c.queue,
      ).toEqual([config.name]);
    expect(run.stdout).toContain(`https://${config.name}.carnet-arnaud.workers.dev`);
    // Every asset of the manifest is on the account, whole.
    for (const { hash } of Object.values(standin.assetManifests.at(-1)!)) expect(standin.assets.has(hash)).toBe(true);
    expectClean(r);
  });

  it("npx wrangler secret delete removes a secret; npm run deploy then refuses until provision sets it again", { timeout: TIMEOUT }, async () => {
    const name = r.config().name;
    const deleted = await r.exec("npx", ["wrangler", "secret", "delete", "SIGNING_SECRET"]);
    expectExit(deleted, 0);
    expect(standin.scripts.get(name)!.secrets.has("SIGNING_SECRET")).toBe(false);
    expect(standin.deployedVersion(name)!.bindings.some((b) => b.name === "SIGNING_SECRET")).toBe(false);
    const mark = standin.mark();
    const run = await r.npm(["deploy"]);
    expectExit(run, 1);
    expect(run.last).toMatch(/Secret SIGNING_SECRET not set on the Worker/);
    expect(callsTo(standin.since(mark), UPLOAD)).toEqual([]);
    expectClean(r);
  });
});

describe("what stops a deploy before anything is sent", () => {
  let standin: CloudflareStandin;
  let r: Rehearsal;
  beforeAll(async () => {
    standin = await CloudflareStandin.start();
    r = new Rehearsal(standin);
    r.provisionDirectly();
  });
  afterAll(async () => {
    await standin?.close();
    r?.remove();
  });

  it("content/site.json's url left at the example: npm run deploy stops at once, and --keep-example-url goes past it", { timeout: TIMEOUT }, async () => {
    r.setSiteUrl("https://billet.example.com");
    const mark = standin.mark();
    const run = await r.npm(["deploy"]);
    expectExit(run, 1);
    expect(run.last).toMatch(/content\/site\.json's "url" is still https:\/\/billet\.example\.com: set it.*`npm run deploy -- --keep-example-url`/);
    expect(standin.since(mark)).toEqual([]);
    expectClean(r);
  });

  it("a Worker bundle that throws when it starts: npm run deploy fails with its error, and nothing is sent", { timeout: TIMEOUT }, async () => {
    const index = join(r.project, "workers", "index.ts");
    writeFileSync(index, `throw new Error("boom at start: a broken bundle");\n${readFileSync(index, "utf8")}`);
    const mark = standin.mark();
    const run = await r.npm(["deploy", "--", "--keep-example-url"]);
    expectExit(run, 1);
    expect(run.last).toMatch(/The Worker bundle fails when it starts \(tried locally, nothing was sent to Cloudflare\): .*boom at start/);
    expect(standin.since(mark).filter((c) => c.method !== "GET")).toEqual([]);
    expectClean(r);
  });

  it("D1 read replication refused (a token without that permission): provision says so, how to retry, and completes", { timeout: TIMEOUT }, async () => {
    try {
      standin.deniedPaths = [/\/d1\/database\/[^/]+$/];
      const run = await r.npm(["provision"]);
      expectExit(run, 0);
      expect(run.stdout).toMatch(
        /D1 read replication for DB: could not be turned on \(Authentication error \[code: 10000\]\); `npm run provision` again tries it, or turn it on in the dashboard/,
      );
      expect(run.stdout).toContain("\nDone. Next:");
      expectClean(r);
    } finally {
      standin.deniedPaths = [];
    }
  });

  it("a token without the KV permission: provision names the permission missing", { timeout: TIMEOUT }, async () => {
    const copy = new Rehearsal(standin);
    try {
      standin.deniedPaths = [/\/storage\/kv\//];
      const run = await copy.npm(["provision"]);
      expectExit(run, 1);
      expect(run.last).toMatch(/Cloudflare refused your credentials for .*kv.* \(.*"Account › Workers KV Storage › Edit" permission.*npx wrangler login/);
      expectClean(copy);
    } finally {
      standin.deniedPaths = [];
      copy.remove();
    }
  });
});
