// billet served for the bench: the project's own local set-up (build, local D1 and KV with the seed)
// in a fresh temporary --persist-to directory, then `wrangler dev` — the real workerd runtime with
// the local D1, KV, Cache API and static-assets simulators — on 127.0.0.1.
//
// Three differences from `npm start` (scripts/local.ts startDev), all for the measurement:
// - the Worker is the bundle `wrangler deploy --dry-run` wrote (run with --no-bundle): what is
//   measured is what is sized and would be uploaded, and edits to workers/ made while the bench runs
//   do not reload the server under load;
// - the static assets are served from a temporary copy of public/ (`--assets`), so the ceiling page
//   can be added at a path the Worker does not run for, and a concurrent `npm run build` elsewhere
//   cannot change the files under measurement;
// - the load goes straight to the socket of the workerd process that runs the Worker, not through
//   wrangler's dev proxy (a second workerd process that only forwards requests and does not exist in
//   production). The proxy address is kept for reference figures.
import { spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, cpSync, createWriteStream, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../scripts/content.ts";
import { ensureDevVars, OFFLINE_ENV, prepareLocal } from "../../scripts/local.ts";
import { listeningPorts, processTree, startProcess, stopTree } from "./procs.ts";

export const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
export const CEILING_PATH = "/bench-ceiling/";

export interface Billet {
  child: ChildProcess;
  /** wrangler's own address (through its dev proxy). */
  proxyUrl: string;
  /** The socket of the workerd process that runs the Worker (what the bench loads). */
  runtimeUrl: string;
  runtimeVia: "runtime socket" | "wrangler dev proxy";
  /** The workerd process that runs the Worker (null when only the proxy was found). */
  runtimePid: number | null;
  persistTo: string;
  publicDir: string;
  log: string;
  /** Bytes of the ceiling file (the build's own pre-rendered copy of the seed post page). */
  ceilingBytes: number;
  /** How many times wrangler reloaded the runtime during the run (each one is noted in the report). */
  reloads: number;
  /** Checks that the runtime socket still answers; after a reload by wrangler, finds the new one. */
  ensureRuntime(): Promise<void>;
  stop(): Promise<void>;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok && (res.headers.get("Content-Type") ?? "").includes("json");
  } catch {
    return false;
  }
}

/** Build, migrate, seed (the project's prepareLocal), into a fresh state directory. */
export async function prepare(tmp: string, slug: string): Promise<{ persistTo: string; publicDir: string; ceilingBytes: number; adminToken: string }> {
  // The local secrets wrangler dev reads (.dev.vars, made as npm start makes it when absent).
  const adminToken = ensureDevVars();
  const persistTo = join(tmp, "state");
  await prepareLocal({ persistTo, quiet: true });
  const publicDir = join(tmp, "public");
  cpSync(join(ROOT, "public"), publicDir, { recursive: true });
  // The ceiling: the same post page, as the build pre-rendered it (with the same six seed comments,
  // through the same renderer as the Worker), at a path that is served as a plain static asset.
  const page = join(publicDir, "posts", slug, "index.html");
  mkdirSync(join(publicDir, CEILING_PATH), { recursive: true });
  copyFileSync(page, join(publicDir, CEILING_PATH, "index.html"));
  return { persistTo, publicDir, ceilingBytes: readFileSync(page).byteLength, adminToken };
}

async function findRuntime(rootPid: number, proxyPort: number): Promise<{ url: string; pid: number } | null> {
  const runtimes = processTree(rootPid).filter((s) => s.comm === "workerd" && !cmdline(s.pid).includes(`entry=127.0.0.1:${proxyPort}`));
  for (const r of runtimes) {
    for (const port of listeningPorts(r.pid)) {
      if (port === proxyPort) continue;
      if (await answers(`http://127.0.0.1:${port}/api/config`)) return { url: `http://127.0.0.1:${port}`, pid: r.pid };
    }
  }
  return null;
}

export async function startBillet(opts: {
  tmp: string;
  port: number;
  script: string;
  persistTo: string;
  publicDir: string;
  ceilingBytes: number;
  direct: boolean;
  /** More [vars] for this run (e.g. PAGE_CACHE: "off"). */
  vars?: Record<string, string>;
  /** The DevTools inspector's port (0: any free one). */
  inspectorPort?: number;
}): Promise<Billet> {
  const log = join(opts.tmp, "wrangler-dev.log");
  const out = createWriteStream(log);
  const args = [
    WRANGLER,
    "dev",
    opts.script,
    "--no-bundle",
    "--config",
    join(ROOT, "wrangler.toml"),
    "--ip",
    "127.0.0.1",
    "--port",
    String(opts.port),
    "--inspector-port",
    String(opts.inspectorPort ?? 0),
    "--show-interactive-dev-session=false",
  ];
  args.push("--persist-to", opts.persistTo, "--assets", opts.publicDir, "--var", "COMMENT_RATE_LIMIT:off");
  for (const [name, value] of Object.entries(opts.vars ?? {})) args.push("--var", `${name}:${value}`);
  const child = startProcess(process.execPath, args, { cwd: ROOT, env: OFFLINE_ENV, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const proxyUrl = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 90_000;
  let up = false;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await answers(`${proxyUrl}/api/config`)) {
      up = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  const stop = () => stopTree(child);
  if (!up) {
    await stop();
    throw new Error(`wrangler dev did not answer on ${proxyUrl} (log: ${log}):\n${readFileSync(log, "utf8").slice(-3000)}`);
  }
  // The runtime: the workerd child whose entry socket is not the proxy's fixed port.
  const found = opts.direct ? await findRuntime(child.pid!, opts.port) : null;
  const b: Billet = {
    child,
    proxyUrl,
    runtimeUrl: found?.url ?? proxyUrl,
    runtimeVia: found ? "runtime socket" : "wrangler dev proxy",
    runtimePid: found?.pid ?? null,
    persistTo: opts.persistTo,
    publicDir: opts.publicDir,
    log,
    ceilingBytes: opts.ceilingBytes,
    reloads: 0,
    stop,
    async ensureRuntime() {
      if (await answers(`${b.runtimeUrl}/api/config`)) return;
      const until = Date.now() + 60_000;
      while (Date.now() < until) {
        if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}); log: ${log}`);
        const again =
          b.runtimeVia === "runtime socket"
            ? await findRuntime(child.pid!, opts.port)
            : (await answers(`${proxyUrl}/api/config`))
              ? { url: proxyUrl, pid: null }
              : null;
        if (again) {
          b.runtimeUrl = again.url;
          b.runtimePid = again.pid;
          b.reloads++;
          return;
        }
        await new Promise((r) => setTimeout(r, 300));
      }
      throw new Error(`billet stopped answering (log: ${log})`);
    },
  };
  return b;
}

/** `wrangler d1 execute --local` against the bench's state directory; returns the parsed JSON rows of the last statement. */
export function d1(persistTo: string, what: { file: string } | { command: string }): Record<string, unknown>[] {
  const args = [WRANGLER, "d1", "execute", "DB", "--local", "--persist-to", persistTo, "--json"];
  if ("file" in what) args.push("--file", what.file);
  else args.push("--command", what.command);
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env: OFFLINE_ENV, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`wrangler d1 execute failed (exit ${r.status}): ${(r.stderr || r.stdout).slice(-2000)}`);
  try {
    const parsed = JSON.parse(r.stdout) as { results?: Record<string, unknown>[] }[];
    return parsed.at(-1)?.results ?? [];
  } catch {
    return [];
  }
}

/** One number from the local D1, through `wrangler d1 execute --local` (a few seconds: used sparingly). */
export function scalar(persistTo: string, sql: string): number {
  const row = d1(persistTo, { command: sql })[0] ?? {};
  return Number(Object.values(row)[0] ?? 0);
}

export function writeTemp(path: string, text: string): string {
  writeFileSync(path, text);
  return path;
}
