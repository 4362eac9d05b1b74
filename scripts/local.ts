// Local set-up shared by `npm start`, the browser tests and the benchmark: build, local D1 and KV
// loaded with the seed, secrets in .dev.vars, and `wrangler dev` on 127.0.0.1 with no outside network.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSite } from "./build.ts";
import { ROOT } from "./content.ts";

const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

/** Offline and quiet: no metrics, no request to Cloudflare for `request.cf`. */
export const OFFLINE_ENV = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" };

export function wrangler(args: string[], opts: { quiet?: boolean; input?: string; online?: boolean } = {}): string {
  const result = spawnSync(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    env: opts.online ? { ...process.env, WRANGLER_SEND_METRICS: "false" } : OFFLINE_ENV,
    stdio: [opts.input === undefined ? "inherit" : "pipe", opts.quiet ? "pipe" : "inherit", opts.quiet ? "pipe" : "inherit"],
    input: opts.input,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    if (opts.quiet) process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
    throw new Error(`wrangler ${args.join(" ")} failed (exit ${result.status})`);
  }
  return result.stdout ?? "";
}

/** Creates .dev.vars with random local secrets when it is absent; returns the admin token. */
export function ensureDevVars(): string {
  const file = join(ROOT, ".dev.vars");
  if (!existsSync(file)) {
    const token = randomBytes(24).toString("base64url");
    writeFileSync(file, `# Local secrets, made by npm start (git-ignored).\nADMIN_TOKEN=${token}\nSIGNING_SECRET=${randomBytes(32).toString("base64url")}\n`, { mode: 0o600 });
  }
  const match = /^ADMIN_TOKEN=(.*)$/m.exec(readFileSync(file, "utf8"));
  return match?.[1].trim() ?? "";
}

/** Build, then migrations, post records and seed comments into the local D1 and KV (idempotent). */
export async function prepareLocal(opts: { persistTo?: string; quiet?: boolean; build?: boolean } = {}): Promise<void> {
  if (opts.build !== false) await buildSite();
  const persist = opts.persistTo ? ["--persist-to", opts.persistTo] : [];
  wrangler(["d1", "migrations", "apply", "DB", "--local", ...persist], opts);
  wrangler(["kv", "bulk", "put", join(ROOT, "build", "kv-posts.json"), "--binding", "POSTS", "--local", ...persist], opts);
  wrangler(["d1", "execute", "DB", "--local", "--file", join(ROOT, "build", "seed.sql"), ...persist], opts);
}

/** Starts `wrangler dev`; resolves once it answers. */
export async function startDev(opts: { port: number; persistTo?: string; vars?: Record<string, string>; quiet?: boolean }): Promise<ChildProcess> {
  const args = [WRANGLER, "dev", "--ip", "127.0.0.1", "--port", String(opts.port), "--inspector-port", "0", "--show-interactive-dev-session=false"];
  if (opts.persistTo) args.push("--persist-to", opts.persistTo);
  for (const [k, v] of Object.entries(opts.vars ?? {})) args.push("--var", `${k}:${v}`);
  const child = spawn(process.execPath, args, { cwd: ROOT, env: OFFLINE_ENV, stdio: opts.quiet ? "pipe" : "inherit", detached: false });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${opts.port}/api/config`);
      if (res.ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill();
  throw new Error(`wrangler dev did not answer within 60 s:\n${output}`);
}
