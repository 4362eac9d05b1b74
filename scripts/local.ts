// Local set-up shared by `npm start`, the browser tests and the benchmark: build, local D1 and KV
// loaded with the seed, secrets in .dev.vars, and `wrangler dev` on 127.0.0.1 with no outside network.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { buildSite } from "./build.ts";
import { SEARCH_SQL_FILE } from "./search-index.ts";
import { ROOT } from "./content.ts";
import { readWranglerConfig } from "./deploy.ts";
import { mediaBucket, uploadMediaWith } from "./media.ts";

const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

/** Offline and quiet: no metrics, no request to Cloudflare for `request.cf`. */
export const OFFLINE_ENV = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" };

/**
 * Talking to Cloudflare: no metrics, and no offer to send wrangler's crash reports (the project's
 * scripts say what failed and what to run instead).
 */
const onlineEnv = () => ({ ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_SEND_ERROR_REPORTS: "false" });

/** A wrangler command that failed against Cloudflare: `message` is one line saying what to run. */
export class WranglerError extends Error {
  readonly args: string[];
  readonly status: number | null;
  /** Everything wrangler printed (its own error, warnings and progress), colours removed. */
  readonly output: string;
  /** Whether the failure was recognised (the message then names the command that fixes it). */
  readonly known: boolean;
  constructor(args: string[], status: number | null, output: string, message: string, known: boolean) {
    super(message);
    this.name = "WranglerError";
    this.args = args;
    this.status = status;
    this.output = output;
    this.known = known;
  }
}

/** The API token permission each part of Cloudflare's API (or wrangler command) needs, as the dashboard names them. */
const PERMISSIONS: [RegExp, string][] = [
  [/\/d1\/|^d1 /, "Account › D1 › Edit"],
  [/\/storage\/kv\/|^kv /, "Account › Workers KV Storage › Edit"],
  [/\/queues|^queues /, "Account › Queues › Edit"],
  [/\/r2\/|^r2 /, "Account › Workers R2 Storage › Edit"],
  [/\/workers\/|^(deploy|secret|versions|deployments|rollback)\b/, "Account › Workers Scripts › Edit"],
  [/\/memberships/, "User › Memberships › Read"],
  [/\/user\b/, "User › User Details › Read"],
];

/**
 * Which permission a refused call needed: wrangler's own hint ("Are you missing the `…` permission?")
 * or the one for the part of the API it called; empty when the call is not named.
 */
export function missingPermission(text: string, args: string[] = []): string {
  const hint = /Are you missing the `([^`]+)` permission/.exec(text);
  if (hint) return ` (your API token lacks the ${hint[1]} permission: add it, or log in again)`;
  // The call refused, as wrangler names it, else the wrangler command that made it.
  const call = /A request to the Cloudflare API \(([^)]+)\) failed/.exec(text)?.[1] ?? /\/accounts\/[0-9a-f]+\/[\w/.-]+/.exec(text)?.[0];
  const what = call ?? `wrangler ${args.join(" ")}`;
  const needed = PERMISSIONS.find(([re]) => re.test(call ?? args.join(" ")))?.[1];
  return needed ? ` for ${what} (if your API token is otherwise valid, it lacks the "${needed}" permission: add it to the token)` : "";
}

/** wrangler's failures an author meets on a first deploy, each turned into the command that fixes it. */
const FAILURES: [RegExp, (m: RegExpMatchArray, text: string, args: string[]) => string][] = [
  [
    /necessary to set a CLOUDFLARE_API_TOKEN|You are not authenticated|Not logged in|not logged in/,
    () => "not logged in to Cloudflare: run `npx wrangler login` (or set CLOUDFLARE_API_TOKEN to an API token), then run the command again",
  ],
  [
    /Authentication error \[code: 10000\]|Invalid API Token|\[code: 1000\]|\[code: 6111\]|\[code: 9109\]|\[code: 10001\]/,
    (_m, text, args) =>
      `Cloudflare refused your credentials${missingPermission(text, args)}: run \`npx wrangler login\` again (or check CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID; \`npx wrangler whoami\` shows who you are), then run the command again`,
  ],
  [
    /More than one account available/,
    () => "you have several Cloudflare accounts: set CLOUDFLARE_ACCOUNT_ID to the one to use (`npx wrangler whoami` lists them), then run the command again",
  ],
  [
    /required secrets have not been set: ([A-Z0-9_, ]+)/,
    (m) => {
      const names = m[1].split(/,\s*/).filter(Boolean);
      return `secret${names.length > 1 ? "s" : ""} ${names.join(", ")} not set on the Worker: run \`npm run provision\` (it sets the missing ones) or \`npx wrangler secret put ${names[0]}\`, then run the command again`;
    },
  ],
  [
    /inherit binding '([^']+)' is invalid/,
    (m) =>
      `secret ${m[1]} not set on the Worker: run \`npm run provision\` (it sets the missing ones) or \`npx wrangler secret put ${m[1]}\`, then run the command again`,
  ],
  [
    /Queue "([^"]+)" does not exist/i,
    (m) =>
      `the queue ${m[1]} does not exist on your Cloudflare account: run \`npx wrangler queues create ${m[1]}\` (npm run provision creates the queues of wrangler.toml), then run the command again`,
  ],
  [
    /[Dd]ead letter queue "?([a-z0-9-]+)"? does not exist/,
    (m) => `the dead-letter queue ${m[1]} does not exist on your Cloudflare account: run \`npx wrangler queues create ${m[1]}\`, then run the command again`,
  ],
  [
    /A KV namespace with the title "([^"]+)" already exists|a namespace with this account ID and title already exists/,
    (m) =>
      `a KV namespace titled "${m[1] ?? "?"}" already exists on your Cloudflare account: put its id in wrangler.toml (\`npx wrangler kv namespace list\` shows it) or delete it, then run the command again`,
  ],
  [
    /A database with that name already exists/,
    () =>
      "a D1 database with that name already exists on your Cloudflare account: put its id in wrangler.toml as database_id (`npx wrangler d1 list` shows it) or choose another database_name, then run the command again",
  ],
  [
    /Queue name already taken|\[code: 11009\]/,
    () =>
      "a queue with that name already exists on your Cloudflare account (queues are shared by name: `npx wrangler queues list` shows them); choose another name in wrangler.toml or use that one, then run the command again",
  ],
  [
    /KV namespace '([^']+)' is not valid|namespace not found|\[code: 10013\]/,
    (m) =>
      `the KV namespace ${m[1]} of wrangler.toml is not on your Cloudflare account: run \`npm run provision\` (or put an id from \`npx wrangler kv namespace list\`), then run the command again`,
  ],
  [
    /must have a valid `id`|Couldn't find a D1 DB|The database (\S+) could not be found|\[code: 7404\]/,
    () =>
      "the D1 database of wrangler.toml is not on your Cloudflare account: run `npm run provision` (or put a database_id from `npx wrangler d1 list`), then run the command again",
  ],
  [
    /Worker "([^"]+)" not found/,
    (m) => `there is no Worker "${m[1]}" on your Cloudflare account yet: run \`npm run provision\` first, then run the command again`,
  ],
];

/**
 * One line for a failed wrangler command: the fix when the failure is known, else wrangler's own
 * error. Known fixes end with "then run the command again", which a script may name.
 */
export function explainWranglerFailure(args: string[], output: string): { message: string; known: boolean } {
  const text = stripVTControlCharacters(output);
  for (const [pattern, fix] of FAILURES) {
    const m = text.match(pattern);
    if (m) {
      const line = fix(m, text, args);
      return { message: `${line[0].toUpperCase()}${line.slice(1)}.`, known: true };
    }
  }
  // Unknown: wrangler's error line and its first note, on one line.
  const lines = text.split("\n").map((l) => l.trim());
  const at = lines.findIndex((l) => l.startsWith("✘ [ERROR]"));
  const error =
    at >= 0
      ? [lines[at].replace("✘ [ERROR] ", ""), ...lines.slice(at + 1, at + 4).filter((l) => l && !l.startsWith("If you think"))].join(" ")
      : (lines.filter(Boolean).at(-1) ?? "");
  return { message: `wrangler ${args.join(" ")} failed: ${error || "see its output above"}`, known: false };
}

export function wrangler(args: string[], opts: { quiet?: boolean; input?: string; online?: boolean } = {}): string {
  // Against Cloudflare, wrangler's errors are read to say what to do (and shown as they come otherwise).
  const captureErrors = opts.online === true;
  const result = spawnSync(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    env: opts.online ? onlineEnv() : OFFLINE_ENV,
    stdio: [opts.input === undefined ? "inherit" : "pipe", opts.quiet ? "pipe" : "inherit", opts.quiet || captureErrors ? "pipe" : "inherit"],
    input: opts.input,
    encoding: "utf8",
  });
  if (captureErrors && !opts.quiet && result.stderr) process.stderr.write(result.stderr);
  if (result.status !== 0) {
    if (!captureErrors) {
      if (opts.quiet) process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
      throw new Error(`wrangler ${args.join(" ")} failed (exit ${result.status})`);
    }
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? `\n${result.error.message}` : ""}`;
    const { message, known } = explainWranglerFailure(args, output);
    // An unknown failure of a quiet command: show what wrangler said, the message alone is not enough.
    if (opts.quiet && !known) process.stderr.write(output);
    throw new WranglerError(args, result.status, stripVTControlCharacters(output), message, known);
  }
  return result.stdout ?? "";
}

/**
 * Local wrangler commands side by side: each starts its own workerd (seconds of start-up), and
 * commands on different stores (D1, KV) of one --persist-to folder do not touch each other's files.
 */
function wranglerLocalTogether(commands: string[][], opts: { quiet?: boolean }): Promise<void> {
  const runs = commands.map(
    (args) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, [WRANGLER, ...args], { cwd: ROOT, env: OFFLINE_ENV, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        for (const stream of [child.stdout, child.stderr]) stream.on("data", (d: Buffer) => (output += d));
        child.on("error", reject);
        child.on("close", (status) => {
          if (!opts.quiet || status !== 0) process.stderr.write(output);
          if (status === 0) resolve();
          else reject(new Error(`wrangler ${args.join(" ")} failed (exit ${status})`));
        });
      }),
  );
  return Promise.all(runs).then(() => undefined);
}

/** Creates .dev.vars with random local secrets when it is absent; returns the admin token. */
export function ensureDevVars(): string {
  const file = join(ROOT, ".dev.vars");
  if (!existsSync(file)) {
    const token = randomBytes(24).toString("base64url");
    writeFileSync(file, `# Local secrets, made by npm start (git-ignored).\nADMIN_TOKEN=${token}\nSIGNING_SECRET=${randomBytes(32).toString("base64url")}\n`, {
      mode: 0o600,
    });
  }
  const match = /^ADMIN_TOKEN=(.*)$/m.exec(readFileSync(file, "utf8"));
  return match?.[1].trim() ?? "";
}

/** Build, then migrations, post records and seed comments into the local D1 and KV (idempotent). */
export async function prepareLocal(opts: { persistTo?: string; quiet?: boolean; build?: boolean } = {}): Promise<void> {
  if (opts.build !== false) await buildSite();
  const persist = opts.persistTo ? ["--persist-to", opts.persistTo] : [];
  // The migrations and the post records at once (each wrangler run costs seconds of start-up).
  await wranglerLocalTogether(
    [
      ["d1", "migrations", "apply", "DB", "--local", ...persist],
      ["kv", "bulk", "put", join(ROOT, "build", "kv-posts.json"), "--binding", "POSTS", "--local", ...persist],
    ],
    opts,
  );
  // The seed comments and the posts' search index, in one run of wrangler.
  const local = join(ROOT, "build", "local-d1.sql");
  writeFileSync(local, readFileSync(join(ROOT, "build", "seed.sql"), "utf8") + readFileSync(join(ROOT, "build", SEARCH_SQL_FILE), "utf8"));
  wrangler(["d1", "execute", "DB", "--local", "--file", local, ...persist], opts);
  // The old blog's media that are not static assets, into the local R2 bucket.
  const bucket = mediaBucket(readWranglerConfig());
  if (bucket) {
    const { sent } = uploadMediaWith(wrangler, ROOT, bucket, { remote: false, persistTo: opts.persistTo });
    if (sent && !opts.quiet) console.log(`${sent} medium/media put into the local R2 bucket ${bucket}`);
  }
}

/** Starts `wrangler dev`; resolves once it answers. */
export async function startDev(opts: {
  port: number;
  persistTo?: string;
  vars?: Record<string, string>;
  quiet?: boolean;
  /** wrangler's output, as it comes (printed as well unless quiet). */
  onOutput?: (chunk: string) => void;
  /** How long it may take to answer (60 s unless said: the tests derive theirs from the machine's speed). */
  readyWithinMs?: number;
  /** An already built bundle to run as it is (no bundling), instead of wrangler.toml's main. */
  script?: string;
}): Promise<ChildProcess> {
  const args = [
    WRANGLER,
    "dev",
    ...(opts.script ? [opts.script, "--no-bundle"] : []),
    "--ip",
    "127.0.0.1",
    "--port",
    String(opts.port),
    "--inspector-port",
    "0",
    "--show-interactive-dev-session=false",
  ];
  if (opts.persistTo) args.push("--persist-to", opts.persistTo);
  for (const [k, v] of Object.entries(opts.vars ?? {})) args.push("--var", `${k}:${v}`);
  const piped = opts.quiet || opts.onOutput !== undefined;
  const child = spawn(process.execPath, args, { cwd: ROOT, env: OFFLINE_ENV, stdio: piped ? "pipe" : "inherit", detached: false });
  let output = "";
  for (const [stream, to] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    stream?.on("data", (d: Buffer) => {
      output += d;
      opts.onOutput?.(String(d));
      if (!opts.quiet) to.write(d);
    });
  }
  const readyWithinMs = opts.readyWithinMs ?? 60_000;
  const deadline = Date.now() + readyWithinMs;
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
  throw new Error(`wrangler dev did not answer within ${Math.round(readyWithinMs / 1000)} s:\n${output}`);
}
