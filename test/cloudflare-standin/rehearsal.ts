// A rehearsal of the author's deploy: a fresh copy of the project in a temporary folder, whose npm
// commands run as an author types them, with wrangler pointed at a CloudflareStandin.
//
// Nothing may leave the machine: every Node process of the rehearsal (npm, the project's scripts,
// wrangler) loads no-other-hosts.mjs, which refuses any connection or name lookup other than
// 127.0.0.1 and logs it (`leaks()`, which the tests require to be empty). The copy has its own HOME
// (so a real `wrangler login` on this machine is never used) and its own TMPDIR, where wrangler's
// once-a-day question to the npm registry ("is there a newer wrangler?") finds a fresh cached
// answer, so wrangler has no reason to go out.
//
// BILLET_REHEARSAL_FROM=<dir> rehearses another checkout (default: this one, as `git ls-files`
// lists it, uncommitted and new files included, ignored ones left out).
import { spawn, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, join } from "node:path";
import { hash as blake3 } from "blake3-wasm";
import { expect } from "vitest";
import { ROOT } from "../../scripts/content.ts";
import { queueNames, readWranglerConfig, type WranglerConfig } from "../../scripts/deploy.ts";
import { setTomlId } from "../../scripts/provision.ts";
import type { CloudflareStandin, RecordedCall } from "./standin.ts";
import { within } from "../time-limit.ts";

const SOURCE = process.env.BILLET_REHEARSAL_FROM ?? ROOT;
const GUARD = join(ROOT, "test", "cloudflare-standin", "no-other-hosts.mjs");
const WRANGLER_VERSION = (JSON.parse(readFileSync(join(ROOT, "node_modules", "wrangler", "package.json"), "utf8")) as { version: string }).version;

const PLACEHOLDER = "0".repeat(32);
const PLACEHOLDER_UUID = "00000000-0000-0000-0000-000000000000";
/** The rehearsed author's own address (content/site.json). */
export const AUTHOR_URL = "https://carnet.arnaud-lefevre.fr";

/** A rehearsal's time limit: each wrangler call costs seconds; the longest takes 22 s on two cores. */
export const REHEARSAL_TIMEOUT = within(25_000);

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The last line on stderr: where a failed step says what to do. */
  last: string;
}

export class Rehearsal {
  readonly dir = mkdtempSync(join(tmpdir(), "billet-rehearsal-"));
  readonly project = join(this.dir, "project");
  readonly networkLog = join(this.dir, "network.log");
  readonly standin: CloudflareStandin;

  constructor(standin: CloudflareStandin) {
    this.standin = standin;
    const listed = existsSync(join(SOURCE, ".git"))
      ? execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: SOURCE, encoding: "utf8" }).split("\0").filter(Boolean)
      : readdirSync(SOURCE, { recursive: true, encoding: "utf8" }).filter((f) => !/^(node_modules|\.git|\.wrangler|build|test-results)(\/|$)/.test(f));
    for (const file of listed) {
      const from = join(SOURCE, file);
      if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted but not committed yet
      mkdirSync(dirname(join(this.project, file)), { recursive: true });
      cpSync(from, join(this.project, file));
    }
    symlinkSync(join(ROOT, "node_modules"), join(this.project, "node_modules"));
    // A new author's copy: placeholder ids (the checkout may have real ones committed, of another
    // account) and the blog's own address in content/site.json (deploy stops at the example's).
    const config = this.config();
    let toml = this.read("wrangler.toml");
    for (const kv of config.kv_namespaces ?? []) toml = setTomlId(toml, "kv_namespaces", ["binding", kv.binding], "id", PLACEHOLDER);
    for (const d of config.d1_databases ?? []) toml = setTomlId(toml, "d1_databases", ["binding", d.binding], "database_id", PLACEHOLDER_UUID);
    writeFileSync(join(this.project, "wrangler.toml"), toml);
    this.setSiteUrl(AUTHOR_URL);
    mkdirSync(join(this.dir, "home", ".config"), { recursive: true });
    mkdirSync(join(this.dir, "tmp", "update-check"), { recursive: true });
    writeFileSync(join(this.dir, "tmp", "update-check", "wrangler-latest.json"), JSON.stringify({ latest: WRANGLER_VERSION, lastUpdate: Date.now() }));
  }

  /** The environment of an author logged in (with an API token) to the stand-in's account. */
  env(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    const home = join(this.dir, "home");
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      LANG: process.env.LANG ?? "C.UTF-8",
      HOME: home,
      XDG_CONFIG_HOME: join(home, ".config"),
      TMPDIR: join(this.dir, "tmp"),
      // wrangler caches account details under node_modules/.cache, which the copy shares: not there.
      WRANGLER_CACHE_DIR: join(this.dir, "wrangler-cache"),
      ...this.standin.env(),
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      npm_config_update_notifier: "false",
      npm_config_fund: "false",
      BILLET_NETWORK_LOG: this.networkLog,
      NODE_OPTIONS: `--import ${GUARD}`,
      ...extra,
    };
    return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
  }

  /** `npm run <args>` in the copy, as the author types it (undefined in `extraEnv` unsets a variable). */
  npm(args: string[], extraEnv: Record<string, string | undefined> = {}): Promise<Run> {
    return this.spawnRun("npm", ["run", "--silent", ...args], extraEnv).done;
  }

  private spawnRun(command: string, args: string[], extraEnv: Record<string, string | undefined>, detached = false): { done: Promise<Run>; stop: () => void } {
    const child = spawn(command, args, { cwd: this.project, env: this.env(extraEnv), stdio: ["pipe", "pipe", "pipe"], detached });
    const stop = () => {
      // The whole group (npm, node, wrangler), as Ctrl-C in a terminal does.
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGINT");
    };
    const done = new Promise<Run>((resolve, reject) => {
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.stdin.end();
      child.on("error", reject);
      child.on("close", (code) => {
        const lines = stderr
          .split("\n")
          .map((l) => l.trim())
          .filter((l) => l && !l.includes("ExperimentalWarning") && !l.startsWith("(Use `node --trace-warnings"));
        resolve({ code, stdout, stderr, last: lines.at(-1) ?? "" });
      });
    });
    return { done, stop };
  }

  /** Sets content/site.json's url in the copy. */
  setSiteUrl(url: string): void {
    const file = join(this.project, "content", "site.json");
    const site = JSON.parse(readFileSync(file, "utf8")) as { url: string };
    writeFileSync(file, `${JSON.stringify({ ...site, url }, null, 2)}\n`);
  }

  /** Any command in the copy (`npx wrangler …`), as `npm` runs npm scripts. */
  exec(command: string, args: string[], extraEnv: Record<string, string | undefined> = {}): Promise<Run> {
    return this.spawnRun(command, args, extraEnv).done;
  }

  /** A command started in its own process group, to be interrupted (`stop`) midway. */
  start(command: string, args: string[], extraEnv: Record<string, string | undefined> = {}): { done: Promise<Run>; stop: () => void } {
    return this.spawnRun(command, args, extraEnv, true);
  }

  read(file: string): string {
    return readFileSync(join(this.project, file), "utf8");
  }

  config(): WranglerConfig {
    return readWranglerConfig(this.project);
  }

  /** What was refused because it was not for 127.0.0.1: empty when nothing tried to leave. */
  leaks(): string {
    return existsSync(this.networkLog) ? readFileSync(this.networkLog, "utf8") : "";
  }

  /**
   * The account as `npm run provision` leaves it, made directly in the stand-in (no call recorded),
   * with the ids written into the copy's wrangler.toml; `except` leaves out secrets or queues.
   */
  provisionDirectly(except: { secrets?: string[]; queues?: string[] } = {}): void {
    const config = this.config();
    let toml = this.read("wrangler.toml");
    for (const kv of config.kv_namespaces ?? []) {
      const ns = this.standin.createKvNamespace(`${config.name}-${kv.binding.toLowerCase()}`);
      toml = setTomlId(toml, "kv_namespaces", ["binding", kv.binding], "id", ns.id);
    }
    for (const d of config.d1_databases ?? []) {
      const db = this.standin.createD1Database(d.database_name ?? d.binding);
      toml = setTomlId(toml, "d1_databases", ["binding", d.binding], "database_id", db.uuid);
    }
    writeFileSync(join(this.project, "wrangler.toml"), toml);
    for (const q of queueNames(config)) {
      const existing = this.standin.queueNamed(q);
      if (existing) this.standin.queues.delete(existing.queue_id);
      if (!except.queues?.includes(q)) this.standin.createQueue(q);
    }
    const secrets = (config.secrets?.required ?? []).filter((s) => !except.secrets?.includes(s));
    this.standin.createWorker(config.name, Object.fromEntries(secrets.map((s) => [s, `rehearsal-${s.toLowerCase()}-0123456789`])));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Shows a run's output when it did not end as expected (vitest shows only the assertion otherwise). */
export function expectExit(run: Run, code: number): void {
  if (run.code !== code) console.error(`--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`);
  expect(run.code).toBe(code);
}

/** Nothing unknown asked of the stand-in, nothing sent anywhere else. */
export function expectClean(r: Rehearsal): void {
  expect(r.standin.unknown.map((c) => `${c.method} ${c.path}`)).toEqual([]);
  expect(r.leaks()).toBe("");
}

export const callsTo = (list: RecordedCall[], route: string) => list.filter((c) => c.route === route);

/** The static assets of a folder as wrangler names and hashes them (BLAKE3 of base64 content + extension). */
export function assetManifest(dir: string): Record<string, { hash: string; size: number }> {
  const manifest: Record<string, { hash: string; size: number }> = {};
  for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const path = join(dir, file);
    if (!statSync(path).isFile() || ["_headers", "_redirects", ".assetsignore"].includes(file)) continue;
    const content = readFileSync(path);
    manifest[`/${file.split("\\").join("/")}`] = {
      hash: blake3(content.toString("base64") + extname(file).slice(1))
        .toString("hex")
        .slice(0, 32),
      size: content.length,
    };
  }
  return manifest;
}

/**
 * The keys of wrangler.toml the rehearsal knows what to expect from. A new kind of binding or
 * setting fails the rehearsal until it says what the upload must carry for it.
 */
export const CHECKED_CONFIG_KEYS = [
  "name",
  "main",
  "compatibility_date",
  "compatibility_flags",
  "send_metrics",
  "minify",
  // Like minify, it only shapes the bundle (no esbuild __name wrappers): nothing in the upload's metadata.
  "keep_names",
  "assets",
  "kv_namespaces",
  "d1_databases",
  "r2_buckets",
  "ratelimits",
  "secrets",
  "vars",
  "queues",
  "triggers",
  "send_email",
];

/** The upload bindings wrangler.toml asks for, as the Workers upload metadata writes them. */
export function expectedBindings(config: WranglerConfig): Record<string, unknown>[] {
  return [
    ...(config.kv_namespaces ?? []).map((k) => ({ type: "kv_namespace", name: k.binding, namespace_id: k.id })),
    ...(config.d1_databases ?? []).map((d) => ({ type: "d1", name: d.binding, id: d.database_id })),
    ...(config.r2_buckets ?? []).map((b) => ({ type: "r2_bucket", name: b.binding, bucket_name: b.bucket_name })),
    ...(config.assets?.binding ? [{ type: "assets", name: config.assets.binding }] : []),
    ...(config.queues?.producers ?? []).map((p) => ({ type: "queue", name: p.binding, queue_name: p.queue })),
    ...(config.ratelimits ?? []).map((r) => ({ type: "ratelimit", name: r.name, namespace_id: r.namespace_id, simple: r.simple })),
    ...(config.send_email ?? []).map((e) => ({ type: "send_email", ...e })),
    ...Object.entries(config.vars ?? {}).map(([name, text]) => ({ type: "plain_text", name, text })),
    ...(config.secrets?.required ?? []).map((name) => ({ type: "inherit", name })),
  ];
}
