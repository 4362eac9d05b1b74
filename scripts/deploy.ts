// npm run deploy: build, publish the post records to KV, apply D1 migrations, deploy the Worker.
// `npm run deploy -- --dry-run` bundles the Worker without touching Cloudflare (CI runs it).
import { join } from "node:path";
import { buildSite } from "./build.ts";
import { ROOT } from "./content.ts";
import { wrangler } from "./local.ts";

const dryRun = process.argv.includes("--dry-run");
const { posts } = await buildSite();
if (dryRun) {
  wrangler(["deploy", "--dry-run", "--outdir", join(ROOT, "build", "dry-run")]);
  console.log(`dry run: ${posts.length} post(s) built; Worker bundled into build/dry-run (nothing deployed)`);
} else {
  wrangler(["kv", "bulk", "put", join(ROOT, "build", "kv-posts.json"), "--binding", "POSTS", "--remote"], { online: true });
  wrangler(["d1", "migrations", "apply", "DB", "--remote"], { online: true });
  wrangler(["deploy"], { online: true });
  console.log(`deployed: ${posts.length} post(s), migrations applied, Worker live`);
}
