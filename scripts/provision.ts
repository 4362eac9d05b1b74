// npm run provision: first-time set-up of a Cloudflare account for billet (run once, after
// `npx wrangler login`): creates the KV namespace and the D1 database, writes their ids into
// wrangler.toml, creates the notification queues, and sets the ADMIN_TOKEN and SIGNING_SECRET
// secrets to fresh random values.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./content.ts";
import { wrangler } from "./local.ts";

const TOML = join(ROOT, "wrangler.toml");
const PLACEHOLDER_KV = "00000000000000000000000000000000";
const PLACEHOLDER_D1 = "00000000-0000-0000-0000-000000000000";

function idFrom(output: string, key: string): string {
  const match = new RegExp(`"?${key}"?\\s*[=:]\\s*"([0-9a-f-]{32,36})"`).exec(output);
  if (!match) throw new Error(`could not find ${key} in wrangler's answer:\n${output}`);
  return match[1];
}

let toml = readFileSync(TOML, "utf8");
if (toml.includes(`id = "${PLACEHOLDER_KV}"`)) {
  const out = wrangler(["kv", "namespace", "create", "POSTS"], { quiet: true, online: true });
  toml = toml.replace(`id = "${PLACEHOLDER_KV}"`, `id = "${idFrom(out, "id")}"`);
  console.log("KV namespace created");
}
if (toml.includes(`database_id = "${PLACEHOLDER_D1}"`)) {
  const out = wrangler(["d1", "create", "billet"], { quiet: true, online: true });
  toml = toml.replace(`database_id = "${PLACEHOLDER_D1}"`, `database_id = "${idFrom(out, "database_id")}"`);
  console.log("D1 database created");
}
writeFileSync(TOML, toml);

// The notification queue and its dead-letter queue (creating one that exists fails: that is fine).
for (const queue of ["billet-notify", "billet-notify-failed"]) {
  try {
    wrangler(["queues", "create", queue], { quiet: true, online: true });
    console.log(`queue ${queue} created`);
  } catch {
    console.log(`queue ${queue} not created (it may exist already)`);
  }
}

const admin = randomBytes(24).toString("base64url");
wrangler(["secret", "put", "ADMIN_TOKEN"], { input: admin, quiet: true, online: true });
wrangler(["secret", "put", "SIGNING_SECRET"], { input: randomBytes(32).toString("base64url"), quiet: true, online: true });
console.log(`Secrets set. Your admin token (keep it; it is not shown again):\n  ${admin}\nNext: set "url" in content/site.json to your site's address, then npm run deploy.`);
