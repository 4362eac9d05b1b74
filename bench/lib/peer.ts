// The comparison peer, Waline, started through bench/peer-waline.sh (install once, then a fresh copy
// of the empty Waline schema for every start).
import { spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../scripts/content.ts";
import { get } from "./http.ts";
import { startProcess, stopTree } from "./procs.ts";

const SCRIPT = join(ROOT, "bench", "peer-waline.sh");
export const WALINE_VERSION = /WALINE_VERSION="([^"]+)"/.exec(readFileSync(SCRIPT, "utf8"))?.[1] ?? "?";

/** Installs Waline (once; a no-op when it is there). Returns null when it worked, else why not. */
export function installWaline(timeoutMs: number): { error: string | null; ms: number; log: string } {
  const t = Date.now();
  const r = spawnSync("bash", [SCRIPT, "install"], { cwd: ROOT, env: { ...process.env, NODE: process.execPath }, encoding: "utf8", timeout: timeoutMs });
  const log = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  const error = r.error
    ? `install did not finish: ${r.error.message}`
    : r.status !== 0
      ? `install failed (exit ${r.status}): ${log.trim().split("\n").slice(-5).join(" / ")}`
      : null;
  return { error, ms: Date.now() - t, log };
}

export interface Waline {
  child: ChildProcess;
  url: string;
  log: string;
  stop(): Promise<void>;
}

export async function startWaline(opts: { port: number; dir: string }): Promise<Waline> {
  const log = join(opts.dir, "..", "waline.log");
  const out = createWriteStream(log);
  const child = startProcess("bash", [SCRIPT, "start", String(opts.port), opts.dir], {
    cwd: ROOT,
    env: { ...process.env, NODE: process.execPath },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const url = `http://127.0.0.1:${opts.port}`;
  const stop = () => stopTree(child);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const res = await get(`${url}/api/comment?path=/`, { signal: AbortSignal.timeout(2000) });
      if (res.ok && ((await res.json()) as { errno?: number }).errno === 0) return { child, url, log, stop };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  await stop();
  throw new Error(`Waline did not answer on ${url}: ${existsSync(log) ? readFileSync(log, "utf8").slice(-1500) : ""}`);
}

export const WALINE_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/** Posts a comment the way Waline's client does; returns Waline's errno (0 = stored). */
export async function walinePost(url: string, path: string, nick: string, comment: string): Promise<number> {
  const res = await get(`${url}/api/comment`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ nick, mail: "", link: "", comment, url: path, ua: WALINE_UA }),
  });
  return ((await res.json()) as { errno: number }).errno;
}

/** How many approved comments Waline has for a page. */
export async function walineCount(url: string, path: string): Promise<number> {
  const res = await get(`${url}/api/comment?path=${encodeURIComponent(path)}&page=1&pageSize=1`);
  return ((await res.json()) as { data: { count: number } }).data.count;
}
