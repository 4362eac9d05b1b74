// npm run provision: sets up a Cloudflare account for billet, once, after `npx wrangler login`.
// From wrangler.toml, it creates what is missing and says what it did:
//   1. each KV namespace whose id is still a placeholder (titled <worker>-<binding>, billet-posts),
//      and writes its id into wrangler.toml (commit that)
//   2. each D1 database whose database_id is still a placeholder, its id written likewise, and D1
//      read replication turned on for it (readers far from its primary read a nearby copy)
//   3. every queue named (producers, consumers, dead-letter queues) and R2 bucket (media); one that
//      exists is used as is
//   4. each required secret not set yet on the Worker, to a fresh random value (wrangler creates an
//      empty Worker to hold them until the first npm run deploy); the admin token is printed and
//      saved in .admin-token the moment it is set, so a later failure cannot lose it
//   5. the account's workers.dev subdomain, which a brand-new account does not have: registered as
//      `--subdomain <name>` says, or asked for in a terminal; kept when there is one
//   6. what email sending (send_email) needs, which only the dashboard can do (Email Routing)
// Running it again changes nothing that exists: ids already written and secrets already set are kept.
import { randomBytes } from "node:crypto";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { cloudflareApi, enableReadReplication, onboardingLink, registerWorkersDevSubdomain, workersDevSubdomain } from "./cloudflare-api.ts";
import { ROOT } from "./content.ts";
import { failWith, isPlaceholderId, queueNames, readWranglerConfig, remoteSecrets, wranglerToml } from "./deploy.ts";
import { wrangler, WranglerError } from "./local.ts";

const COMMAND = "npm run provision";

/**
 * Sets `key = "value"` in the [[table]] entry whose `match` key has the given value, keeping the
 * rest of wrangler.toml (comments included) as it is.
 */
export function setTomlId(toml: string, table: string, match: [string, string], key: string, value: string): string {
  const lines = toml.split("\n");
  let inEntry = false;
  let entryStart = -1;
  for (let i = 0; i <= lines.length; i++) {
    const line = lines[i] ?? "[end]";
    if (/^\s*\[/.test(line)) {
      if (inEntry) {
        const entry = lines.slice(entryStart, i);
        const matches = entry.some((l) => new RegExp(`^\\s*${match[0]}\\s*=\\s*"${match[1]}"\\s*(#.*)?$`).test(l));
        const at = entry.findIndex((l) => new RegExp(`^\\s*${key}\\s*=`).test(l));
        if (matches && at >= 0) {
          lines[entryStart + at] = lines[entryStart + at].replace(/=\s*"[^"]*"/, `= "${value}"`);
          return lines.join("\n");
        }
      }
      inEntry = line.trim() === `[[${table}]]`;
      entryStart = i;
    }
  }
  throw new Error(`could not find ${key} in the [[${table}]] entry with ${match[0]} = "${match[1]}" in wrangler.toml: write ${value} there yourself`);
}

function writeId(table: string, match: [string, string], key: string, value: string): void {
  const file = wranglerToml();
  writeFileSync(file, setTomlId(readFileSync(file, "utf8"), table, match, key, value));
}

/** Runs a creation; when the name is already taken on the account, says what to do instead. */
function nameTaken(create: () => void, message: string): void {
  try {
    create();
  } catch (err) {
    if (err instanceof WranglerError && /already exists|\[code: (10014|7502)\]/.test(err.output)) throw new Error(message);
    throw err;
  }
}

/** A KV namespace's title for a binding: billet-posts for POSTS (the name wrangler itself would give it). */
const kvTitle = (worker: string, binding: string) => `${worker}-${binding.toLowerCase().replaceAll("_", "-")}`;

/** Where the admin token is saved the moment it is set (gitignored; delete it once you keep it elsewhere). */
export const ADMIN_TOKEN_FILE = ".admin-token";

/** The admin token, shown and saved as soon as Cloudflare has it: a later failure cannot lose it. */
function keepAdminToken(token: string): void {
  const file = join(ROOT, ADMIN_TOKEN_FILE);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  console.log(
    `\nYour admin token (for /admin/), also saved in ${ADMIN_TOKEN_FILE} (not committed): keep it somewhere safe, then delete that file:\n  ${token}\n`,
  );
}

/**
 * Step 2, continued: D1 read replication, which wrangler has no command for. The Worker reads through D1's
 * Sessions API, so a reader far from the primary reads a nearby copy, and a commenter's bookmark
 * keeps their own comment in what they read next.
 */
async function ensureReadReplication(config: ReturnType<typeof readWranglerConfig>): Promise<void> {
  const dbs = (config.d1_databases ?? []).filter((db) => !isPlaceholderId(db.database_id));
  if (!dbs.length) return;
  // An optimisation, not a requirement: no credentials or a failure is said, and provision goes on.
  const api = await cloudflareApi().catch((err: unknown) => {
    console.log(`· D1 read replication: not checked (${err instanceof Error ? err.message : String(err)})`);
    return undefined;
  });
  for (const db of dbs) {
    if (!api) {
      console.log(
        `· D1 read replication for ${db.binding}: not set${api === null ? " (no API token or saved login found)" : ""}; \`${COMMAND}\` again tries it, or turn it on in the dashboard (D1 → ${db.database_name} → Settings → Read replication)`,
      );
      continue;
    }
    const done = await enableReadReplication(api, db.database_id ?? "").catch((err: unknown) => {
      console.log(
        `· D1 read replication for ${db.binding}: could not be turned on (${err instanceof Error ? err.message : String(err)}); \`${COMMAND}\` again tries it, or turn it on in the dashboard (D1 → ${db.database_name} → Settings)`,
      );
      return null;
    });
    if (done === null) continue;
    console.log(
      done === "already"
        ? `· D1 read replication for ${db.binding}: already on`
        : `✓ D1 read replication turned on for ${db.binding}: readers far from the database read a nearby copy`,
    );
  }
}

/** Step 5: the account's workers.dev subdomain (without one, a deploy is live but unreachable). */
async function ensureSubdomain(workerName: string, wanted: string | undefined): Promise<void> {
  const api = await cloudflareApi();
  if (!api) {
    console.log("· workers.dev subdomain: not checked (no API token or saved login found); if your account is new, wrangler asks for one on npm run deploy");
    return;
  }
  const current = await workersDevSubdomain(api);
  if (current) {
    console.log(`· workers.dev subdomain: ${current}, kept (your Worker answers on https://${workerName}.${current}.workers.dev)`);
    return;
  }
  let name = wanted;
  if (!name && process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    name = (await rl.question("Your Cloudflare account has no workers.dev subdomain yet. Which one do you want (https://<name>.workers.dev)? ")).trim();
    rl.close();
  }
  if (!name)
    throw new Error(
      `Your Cloudflare account has no workers.dev subdomain yet (a new account), so a deploy would be live but unreachable: choose one and run \`${COMMAND} -- --subdomain <name>\` (lowercase letters, digits, dashes), or pick it at ${onboardingLink(api.accountId)}, then \`${COMMAND}\` again.`,
    );
  await registerWorkersDevSubdomain(api, name, `${COMMAND} -- --subdomain <another>`);
  console.log(`✓ workers.dev subdomain ${name} registered: your Worker will answer on https://${workerName}.${name}.workers.dev`);
}

/** Step 6: email sending needs Email Routing and verified addresses, which only the dashboard sets up. */
function emailNote(config: ReturnType<typeof readWranglerConfig>): void {
  const email = config.send_email ?? [];
  if (!email.length) return;
  console.log(
    `· email sending (${email.map((e) => e.name).join(", ")}): to send, in the Cloudflare dashboard, add your domain, turn on Email Routing (Email → Email Routing → Enable) and add and verify each address mail goes to (Destination addresses). Until then the blog works and simply sends no email.`,
  );
}

async function main(argv: string[]): Promise<void> {
  const at = argv.indexOf("--subdomain");
  const subdomain = at >= 0 ? argv[at + 1] : undefined;
  const config = readWranglerConfig();
  console.log(`Setting up your Cloudflare account for the Worker "${config.name}" (as wrangler.toml describes it)…`);

  // 1. KV namespaces.
  for (const kv of config.kv_namespaces ?? []) {
    if (!isPlaceholderId(kv.id)) {
      console.log(`· KV namespace ${kv.binding}: wrangler.toml already has its id (${kv.id}), kept`);
      continue;
    }
    const title = kvTitle(config.name, kv.binding);
    nameTaken(
      () => wrangler(["kv", "namespace", "create", title], { quiet: true, online: true }),
      `A KV namespace titled "${title}" already exists on your Cloudflare account: if it is this blog's, put its id in wrangler.toml (\`npx wrangler kv namespace list\` shows it), otherwise delete or rename that one, then \`${COMMAND}\` again.`,
    );
    // The id, read back as JSON rather than from wrangler's text.
    const list = JSON.parse(wrangler(["kv", "namespace", "list"], { quiet: true, online: true })) as { id: string; title: string }[];
    const id = list.find((n) => n.title === title)?.id;
    if (!id)
      throw new Error(
        `The KV namespace "${title}" was created but is not listed: run \`npx wrangler kv namespace list\`, put its id in wrangler.toml, then \`${COMMAND}\` again.`,
      );
    writeId("kv_namespaces", ["binding", kv.binding], "id", id);
    console.log(`✓ KV namespace "${title}" created for ${kv.binding}; its id ${id} is now in wrangler.toml`);
  }

  // 2. D1 databases.
  for (const db of config.d1_databases ?? []) {
    const name = db.database_name ?? kvTitle(config.name, db.binding);
    if (!isPlaceholderId(db.database_id)) {
      console.log(`· D1 database ${name}: wrangler.toml already has its id (${db.database_id}), kept`);
      continue;
    }
    nameTaken(
      () => wrangler(["d1", "create", name], { quiet: true, online: true }),
      `A D1 database named "${name}" already exists on your Cloudflare account: if it is this blog's, put its id in wrangler.toml as database_id (\`npx wrangler d1 info ${name}\` shows it), otherwise set another database_name in wrangler.toml, then \`${COMMAND}\` again.`,
    );
    const list = JSON.parse(wrangler(["d1", "list", "--json"], { quiet: true, online: true })) as { uuid: string; name: string }[];
    const id = list.find((d) => d.name === name)?.uuid;
    if (!id)
      throw new Error(
        `The D1 database "${name}" was created but is not listed: run \`npx wrangler d1 list\`, put its id in wrangler.toml, then \`${COMMAND}\` again.`,
      );
    writeId("d1_databases", ["binding", db.binding], "database_id", id);
    console.log(`✓ D1 database "${name}" created for ${db.binding}; its id ${id} is now in wrangler.toml`);
  }
  await ensureReadReplication(readWranglerConfig());

  // 3. Queues: referred to by name, so one that exists already is simply used.
  for (const queue of queueNames(config)) {
    try {
      wrangler(["queues", "create", queue], { quiet: true, online: true });
      console.log(`✓ queue ${queue} created`);
    } catch (err) {
      if (!(err instanceof WranglerError && /already taken|\[code: 11009\]/.test(err.output))) throw err;
      console.log(`· queue ${queue} already exists on your account: used as is`);
    }
  }

  // 3b. R2 buckets (the old blog's media that do not fit the static assets), by name like queues.
  for (const r2 of config.r2_buckets ?? []) {
    if (!r2.bucket_name) continue;
    try {
      wrangler(["r2", "bucket", "create", r2.bucket_name], { quiet: true, online: true });
      console.log(`✓ R2 bucket ${r2.bucket_name} created for ${r2.binding}`);
    } catch (err) {
      if (!(err instanceof WranglerError && /already exists|\[code: 10004\]/.test(err.output))) throw err;
      console.log(`· R2 bucket ${r2.bucket_name} already exists on your account: used as is`);
    }
  }

  // 4. Secrets the Worker requires; those already set are kept (changing them signs readers out).
  const required = config.secrets?.required ?? [];
  if (required.length) {
    const existing = remoteSecrets();
    const set = existing ?? [];
    for (const name of required) {
      if (set.includes(name)) {
        const where = name === "ADMIN_TOKEN" ? `; its value is in ${ADMIN_TOKEN_FILE} if this machine set it` : "";
        console.log(`· secret ${name} already set: kept (to change it: npx wrangler secret put ${name}${where})`);
        continue;
      }
      const value = randomBytes(name === "ADMIN_TOKEN" ? 24 : 32).toString("base64url");
      wrangler(["secret", "put", name], { input: value, quiet: true, online: true });
      if (name === "ADMIN_TOKEN") keepAdminToken(value);
      console.log(
        `✓ secret ${name} set to a random value${existing === null && name === required[0] ? ` (wrangler created an empty Worker "${config.name}" to hold it until npm run deploy)` : ""}`,
      );
    }
  }

  await ensureSubdomain(config.name, subdomain);
  emailNote(config);
  console.log(`\nDone. Next: commit wrangler.toml, set "url" in content/site.json to your site's address, then npm run deploy.`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((err) => failWith(COMMAND, err));
}
