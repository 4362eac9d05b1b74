// npm run deploy: the site and its Worker onto the Cloudflare account set up by `npm run provision`.
//   0. checks, before anything is sent: no placeholder id left in wrangler.toml, content/site.json's
//      url not the example's (`--keep-example-url` to deploy anyway), the Worker's required secrets
//      set (wrangler secret list), the account's workers.dev subdomain registered
//   1. build: content/ → public/ and build/kv-posts.json; the Worker bundled as `--dry-run` bundles
//      it and that bundle started in workerd (local, offline), a post page and /api/config fetched:
//      a bundle that fails at start stops the deploy with its error, before anything is sent
//   2. the post records → the KV namespace (wrangler kv bulk put --remote)
//   3. the D1 migrations not applied yet, in order, each once (wrangler d1 migrations apply --remote)
//   4. the Worker, its bindings, static assets, queue consumer and cron triggers (wrangler deploy);
//      then, if a migration emptied the spam filter's memory (its features changed), the memory
//      rebuilt from what the comments taught it (scripts/spam-train.ts)
// `npm run deploy -- --dry-run` prints that plan for this wrangler.toml and bundles the Worker with
// `wrangler deploy --dry-run`, sending nothing (CI runs it as npm run deploy:check).
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { join, relative } from "node:path";
import { readSite, ROOT } from "./content.ts";
import { cloudflareApi, workersDevSubdomain } from "./cloudflare-api.ts";
import { startDev, wrangler, WranglerError } from "./local.ts";
import { SEARCH_SQL_FILE } from "./search-index.ts";
import { rebuildIfAsked } from "./spam-train.ts";
import { mediaBucket, uploadMediaWith } from "./media.ts";

/** The parts of wrangler.toml the deploy scripts read (wrangler's own reader parses the file). */
export interface WranglerConfig {
  name: string;
  main?: string;
  compatibility_date?: string;
  assets?: { directory?: string; binding?: string; run_worker_first?: boolean | string[]; not_found_handling?: string; html_handling?: string };
  kv_namespaces?: { binding: string; id?: string }[];
  d1_databases?: { binding: string; database_name?: string; database_id?: string; migrations_dir?: string }[];
  r2_buckets?: { binding: string; bucket_name?: string }[];
  ratelimits?: { name: string; namespace_id: string; simple: { limit: number; period: number } }[];
  secrets?: { required?: string[] };
  vars?: Record<string, unknown>;
  queues?: {
    producers?: { binding: string; queue: string }[];
    consumers?: { queue: string; max_batch_size?: number; max_batch_timeout?: number; max_retries?: number; dead_letter_queue?: string }[];
  };
  triggers?: { crons?: string[] };
  send_email?: { name: string; destination_address?: string; allowed_destination_addresses?: string[]; allowed_sender_addresses?: string[] }[];
}

export const wranglerToml = (root = ROOT) => join(root, "wrangler.toml");

/** wrangler.toml as wrangler reads it (its own TOML reader; nothing is validated or sent). */
export function readWranglerConfig(root = ROOT): WranglerConfig {
  const { experimental_readRawConfig } = createRequire(import.meta.url)("wrangler") as {
    experimental_readRawConfig: (args: { config: string }) => { rawConfig: WranglerConfig };
  };
  return experimental_readRawConfig({ config: wranglerToml(root) }).rawConfig;
}

/** The all-zero ids wrangler.toml ships with, until `npm run provision` writes real ones. */
export const isPlaceholderId = (id: string | undefined) => !id || /^[0-]+$/.test(id);

/** What still has a placeholder id, as "the KV namespace POSTS (kv_namespaces.id)". */
export function placeholders(config: WranglerConfig): string[] {
  return [
    ...(config.kv_namespaces ?? []).filter((k) => isPlaceholderId(k.id)).map((k) => `the KV namespace ${k.binding} (kv_namespaces id)`),
    ...(config.d1_databases ?? []).filter((d) => isPlaceholderId(d.database_id)).map((d) => `the D1 database ${d.binding} (d1_databases database_id)`),
  ];
}

/** One line: wrangler.toml is not ready for Cloudflare yet, and what to run. */
export function placeholderMessage(left: string[], command: string): string {
  return `wrangler.toml still has a placeholder id for ${left.join(" and ")}: run \`npm run provision\` once (after \`npx wrangler login\`), it creates them on your account and writes their ids, then \`${command}\` again.`;
}

/** Refuses a command that would reach Cloudflare while wrangler.toml has placeholder ids. */
export function refuseWhilePlaceholders(command: string, root = ROOT): void {
  const left = placeholders(readWranglerConfig(root));
  if (left.length) throw new Error(placeholderMessage(left, command));
}

/** The KV namespace the build's post records go to (the Worker reads them as env.POSTS). */
const postsNamespace = (config: WranglerConfig) => config.kv_namespaces?.find((k) => k.binding === "POSTS");

/** Every queue wrangler.toml names: producers, consumers and dead-letter queues. */
export function queueNames(config: WranglerConfig): string[] {
  const q = config.queues ?? {};
  return [
    ...new Set([...(q.producers ?? []).map((p) => p.queue), ...(q.consumers ?? []).flatMap((c) => [c.queue, c.dead_letter_queue ?? ""])].filter(Boolean)),
  ];
}

/** The secrets set on the Worker, or null when the Worker does not exist yet. */
export function remoteSecrets(): string[] | null {
  try {
    const out = wrangler(["secret", "list", "--format", "json"], { quiet: true, online: true });
    return (JSON.parse(out) as { name: string }[]).map((s) => s.name);
  } catch (err) {
    if (err instanceof WranglerError && /not found|\[code: 10007\]/.test(err.output) && !/Authentication|CLOUDFLARE_API_TOKEN/.test(err.output)) return null;
    throw err;
  }
}

/** A failed step: one line on stderr (the fix named with `command`), exit code 1. */
export function failWith(command: string, err: unknown): never {
  const message = (err as Error).message.replace("then run the command again", `then run \`${command}\` again`);
  console.error(`\n✘ ${command}: ${message}`);
  process.exit(1);
}

const files = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();

function migrations(db: NonNullable<WranglerConfig["d1_databases"]>[number]): string[] {
  const dir = join(ROOT, db.migrations_dir ?? "migrations");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort();
}

/** The whole plan, from wrangler.toml and what the build wrote; nothing is sent. */
function printPlan(config: WranglerConfig, posts: number): void {
  const kvRecords = JSON.parse(readFileSync(join(ROOT, "build", "kv-posts.json"), "utf8")) as { key: string }[];
  const assetsDir = join(ROOT, config.assets?.directory ?? "public");
  const assets = files(assetsDir).filter((f) => !["_headers", "_redirects", ".assetsignore"].includes(f));
  const left = placeholders(config);
  const id = (v: string | undefined) => (isPlaceholderId(v) ? "placeholder id: run npm run provision" : `id ${v}`);
  const out: string[] = [];
  const say = (line = "") => out.push(line);
  say("npm run deploy -- --dry-run: what `npm run deploy` does with this wrangler.toml. Nothing is sent to Cloudflare.");
  say("");
  say(`Worker "${config.name}" (${config.main}, compatibility date ${config.compatibility_date}), on the account you are logged in to (npx wrangler whoami).`);
  say("0. Checks, before anything is sent:");
  say(`   - wrangler.toml has real ids (${left.length ? `NOT YET: ${left.join(", ")}` : "yes"})`);
  say(`   - the Worker's required secrets are set: ${(config.secrets?.required ?? []).join(", ") || "none"} (wrangler secret list)`);
  say(`1. Build: ${posts} post(s) → ${relative(ROOT, assetsDir)}/ (${assets.length} files) and build/kv-posts.json (${kvRecords.length} records).`);
  const kv = postsNamespace(config);
  if (kv) {
    say(`2. Post records → KV namespace ${kv.binding} (${id(kv.id)}): ${kvRecords.map((r) => r.key).join(", ")}`);
    say(`   wrangler kv bulk put build/kv-posts.json --binding ${kv.binding} --remote`);
  }
  for (const db of config.d1_databases ?? []) {
    const list = migrations(db);
    say(`3. D1 database ${db.database_name} (${db.binding}, ${id(db.database_id)}): of ${list.length} migrations, those not applied yet, in order, each once`);
    say(`   (${list.join(", ")}); wrangler d1 migrations apply ${db.binding} --remote`);
    if (db.binding === "DB") say(`   then the posts' searchable text: wrangler d1 execute ${db.binding} --remote --file build/${SEARCH_SQL_FILE}`);
  }
  say("4. The Worker: wrangler deploy uploads its code with these bindings:");
  for (const kv of config.kv_namespaces ?? []) say(`   - KV namespace ${kv.binding}`);
  for (const db of config.d1_databases ?? []) say(`   - D1 database ${db.binding} (${db.database_name})`);
  for (const r2 of config.r2_buckets ?? [])
    say(`   - R2 bucket ${r2.binding} (${r2.bucket_name}): the media build/media-r2.json lists, uploaded first when changed`);
  if (config.assets) {
    const first = config.assets.run_worker_first;
    say(
      `   - static assets ${config.assets.binding ?? "(no binding)"}: ${assets.length} files of ${relative(ROOT, assetsDir)}/ (only those Cloudflare does not have yet are uploaded), _headers applied;`,
    );
    say(
      `     the Worker runs first for ${Array.isArray(first) ? first.join(", ") : String(first ?? false)}; not found: ${config.assets.not_found_handling ?? "none"}`,
    );
  }
  for (const p of config.queues?.producers ?? []) say(`   - queue producer ${p.binding} → ${p.queue}`);
  for (const r of config.ratelimits ?? []) say(`   - rate limit ${r.name}: ${r.simple.limit} requests / ${r.simple.period} s`);
  for (const e of config.send_email ?? []) say(`   - email sending ${e.name}${e.destination_address ? ` (to ${e.destination_address})` : ""}`);
  const vars = Object.keys(config.vars ?? {});
  if (vars.length) say(`   - ${vars.length} vars: ${vars.join(", ")}`);
  for (const s of config.secrets?.required ?? []) say(`   - secret ${s} (kept from the Worker, never sent by the deploy)`);
  for (const c of config.queues?.consumers ?? []) {
    say(
      `   then it consumes ${c.queue}: batches of ${c.max_batch_size ?? 10} or ${c.max_batch_timeout ?? 5} s, ${c.max_retries ?? 3} retries${c.dead_letter_queue ? `, then into ${c.dead_letter_queue}` : ""}`,
    );
  }
  for (const cron of config.triggers?.crons ?? []) say(`   cron trigger: ${cron}`);
  say(`   and answers on https://${config.name}.<your-subdomain>.workers.dev (and on your custom domain once you add one).`);
  say(
    "   then, if a migration emptied the spam filter's memory (its features changed), it is rebuilt from the comments' decisions (npm run spam:train -- --rebuild).",
  );
  if (left.length) {
    say("");
    say(`✘ npm run deploy would stop at step 0: ${placeholderMessage(left, "npm run deploy")}`);
  }
  say("");
  say("wrangler deploy --dry-run (bundles the Worker and checks wrangler.toml; sends nothing):");
  console.log(out.join("\n"));
}

/** content/site.json's url, when it is still the example's. */
function exampleUrlWarning(): string | null {
  const url = readSite().url;
  const host = (() => {
    try {
      return new URL(url).hostname;
    } catch {
      return "";
    }
  })();
  return !host || /(^|\.)example\.(com|org|net)$|\.example$|^localhost$/.test(host)
    ? `content/site.json's "url" is still ${url || "empty"}: set it to your site's address (the feeds, the sitemap and canonical links use it), then npm run deploy again.`
    : null;
}

/** A free port on 127.0.0.1 for the start check's workerd. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/**
 * Starts the bundle `wrangler deploy --dry-run` wrote, as it is, in workerd (local bindings loaded
 * with the build, nothing online) and fetches a post's page and /api/config: a Worker that throws
 * at start or on its first request fails here, with its error, before anything is uploaded.
 */
export async function startCheck(postSlug: string | undefined, required: string[]): Promise<void> {
  const outdir = join(ROOT, "build", "dry-run");
  const state = join(ROOT, "build", "start-check");
  rmSync(state, { recursive: true, force: true });
  wrangler(["deploy", "--dry-run", "--outdir", outdir], { quiet: true });
  // Only what a post page and /api/config read: the tables and the post records (no seed comments).
  const persist = ["--local", "--persist-to", state];
  for (const db of readWranglerConfig().d1_databases ?? []) wrangler(["d1", "migrations", "apply", db.binding, ...persist], { quiet: true });
  const kv = postsNamespace(readWranglerConfig());
  if (kv) wrangler(["kv", "bulk", "put", join(ROOT, "build", "kv-posts.json"), "--binding", kv.binding, ...persist], { quiet: true });
  let output = "";
  const port = await freePort();
  const vars = Object.fromEntries(required.map((name) => [name, `start-check-${name.toLowerCase()}-0123456789abcdef`]));
  let dev: Awaited<ReturnType<typeof startDev>> | undefined;
  try {
    dev = await startDev({ port, persistTo: state, script: join(outdir, "index.js"), vars, quiet: true, onOutput: (c) => (output += c) });
    for (const path of [...(postSlug ? [`/posts/${postSlug}/`] : []), "/api/config"]) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { redirect: "manual" });
      const body = await res.text();
      if (res.status >= 500) {
        const error = /Uncaught[^\n]*|Error[^\n]*/.exec(output)?.[0] ?? body.slice(0, 300);
        throw new Error(`the Worker answered ${path} with ${res.status}: ${error.trim()}`);
      }
    }
  } catch (err) {
    const message = (err as Error).message;
    const cause = /Uncaught[^\n]*/.exec(message)?.[0] ?? /✘ \[ERROR\][^\n]*/.exec(message)?.[0] ?? message.split("\n").filter(Boolean).slice(0, 3).join(" ");
    throw new Error(
      `The Worker bundle fails when it starts (tried locally, nothing was sent to Cloudflare): ${cause.replace(/\s+/g, " ").trim()}. Fix it (\`npm start\` runs it the same way), then \`npm run deploy\` again.`,
    );
  } finally {
    dev?.kill();
  }
}

async function main(argv: string[]): Promise<void> {
  const dryRun = argv.includes("--dry-run");
  const command = "npm run deploy";
  const config = readWranglerConfig();
  if (!dryRun) {
    // Step 0: nothing is built or sent while wrangler.toml still points at no real resource.
    const left = placeholders(config);
    if (left.length) throw new Error(placeholderMessage(left, command));
    const warning = exampleUrlWarning();
    if (warning && !argv.includes("--keep-example-url"))
      throw new Error(
        `${warning.replace(", then npm run deploy again.", "")}, then \`${command}\` again (or \`${command} -- --keep-example-url\` to deploy with it anyway).`,
      );
  }
  const { buildSite } = await import("./build.ts");
  if (dryRun) {
    const { posts } = await buildSite();
    printPlan(config, posts.length);
    wrangler(["deploy", "--dry-run", "--outdir", join(ROOT, "build", "dry-run")]);
    const warning = exampleUrlWarning();
    if (warning) console.log(`\nNote: ${warning}`);
    console.log(`\ndry run: ${posts.length} post(s) built; Worker bundled into build/dry-run (nothing was sent to Cloudflare)`);
    return;
  }
  const required = config.secrets?.required ?? [];
  if (required.length) {
    console.log(`0/4 Checking the Worker "${config.name}" has its secrets (${required.join(", ")})…`);
    const set = remoteSecrets();
    if (set === null)
      throw new Error(
        `There is no Worker "${config.name}" on your Cloudflare account yet, so its secrets ${required.join(", ")} are not set: run \`npm run provision\` (it sets them), then \`${command}\` again.`,
      );
    const missing = required.filter((s) => !set.includes(s));
    if (missing.length) {
      throw new Error(
        `Secret${missing.length > 1 ? "s" : ""} ${missing.join(", ")} not set on the Worker "${config.name}": run \`npm run provision\` (it sets the missing ones to random values) or \`npx wrangler secret put ${missing[0]}\`, then \`${command}\` again.`,
      );
    }
  }
  // Without a workers.dev subdomain, wrangler would upload the Worker and then stop: live but unreachable.
  // A check of our own, not wrangler's: when it cannot be made (credentials wrangler alone reads), wrangler asks.
  const api = await cloudflareApi().catch(() => null);
  if (api && (await workersDevSubdomain(api).catch(() => "")) === null)
    throw new Error(
      `Your Cloudflare account has no workers.dev subdomain yet (a new account): run \`npm run provision -- --subdomain <name>\` (it registers https://<name>.workers.dev), then \`${command}\` again.`,
    );
  console.log("1/4 Building the site…");
  const { posts } = await buildSite();
  console.log("    starting the Worker bundle locally (workerd) and fetching a page and /api/config before anything is sent…");
  await startCheck(posts[0]?.slug, required);
  const kv = postsNamespace(config);
  if (kv) {
    console.log(`2/4 Post records (${posts.length} post(s) and the index) → KV namespace ${kv.binding} (${kv.id})…`);
    wrangler(["kv", "bulk", "put", join(ROOT, "build", "kv-posts.json"), "--binding", kv.binding, "--remote"], { online: true });
  }
  for (const db of config.d1_databases ?? []) {
    console.log(`3/4 D1 database ${db.database_name} (${db.database_id}): applying the migrations it does not have yet, in order…`);
    wrangler(["d1", "migrations", "apply", db.binding, "--remote"], { online: true });
    if (db.binding === "DB") {
      console.log("    the posts' searchable text → the search index (only the posts that changed are written)…");
      wrangler(["d1", "execute", db.binding, "--remote", "--file", join(ROOT, "build", SEARCH_SQL_FILE)], { online: true });
    }
  }
  const bucket = mediaBucket(config);
  if (bucket) {
    // Before the Worker, so the pages it serves find their media.
    const media = uploadMediaWith(wrangler, ROOT, bucket, { remote: true });
    if (media.total) console.log(`    Media for R2 → bucket ${bucket}: ${media.sent} of ${media.total} sent (the others are there with the same bytes)`);
  }
  console.log(`4/4 Uploading the Worker "${config.name}" with its bindings and static assets…`);
  wrangler(["deploy"], { online: true });
  // After the Worker: the counts are rebuilt with the features the live Worker extracts.
  if ((config.d1_databases ?? []).some((db) => db.binding === "DB")) rebuildIfAsked({ remote: true }, (line) => console.log(`    ${line}`));
  console.log(`\ndeployed: ${posts.length} post(s), migrations applied, Worker live (its address is above). Roll back with \`npx wrangler rollback\`.`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((err) => failWith("npm run deploy", err));
}
