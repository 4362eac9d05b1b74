// The few calls to Cloudflare's v4 API that wrangler has no command for (the account's workers.dev
// subdomain), made with the credentials wrangler itself uses: CLOUDFLARE_API_TOKEN, or the OAuth
// token `npx wrangler login` saved (read after a wrangler command has refreshed it).
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** One failed call: Cloudflare's first error code and message. */
export class CloudflareApiError extends Error {
  readonly code: number | undefined;
  readonly status: number;
  constructor(status: number, code: number | undefined, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** wrangler's saved login: ~/.config/.wrangler (or $XDG_CONFIG_HOME/.wrangler, ~/.wrangler, macOS Preferences). */
function savedOAuthToken(env: NodeJS.ProcessEnv): string | undefined {
  const home = env.HOME ?? homedir();
  const dirs = [
    env.WRANGLER_HOME,
    join(env.XDG_CONFIG_HOME ?? join(home, ".config"), ".wrangler"),
    join(home, ".wrangler"),
    join(home, "Library", "Preferences", ".wrangler"),
  ].filter((d): d is string => Boolean(d));
  for (const dir of dirs) {
    const file = join(dir, "config", "default.toml");
    if (!existsSync(file)) continue;
    const m = /^oauth_token\s*=\s*"([^"]+)"/m.exec(readFileSync(file, "utf8"));
    if (m) return m[1];
  }
  return undefined;
}

export interface CloudflareApi {
  accountId: string;
  call<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
}

/** The API as wrangler would reach it, or null when no credentials can be found (then wrangler asks). */
export async function cloudflareApi(env: NodeJS.ProcessEnv = process.env): Promise<CloudflareApi | null> {
  const token = env.CLOUDFLARE_API_TOKEN ?? savedOAuthToken(env);
  if (!token) return null;
  const base = (env.CLOUDFLARE_API_BASE_URL ?? "https://api.cloudflare.com/client/v4").replace(/\/$/, "");
  const call = async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    // One connection per call: provision runs wrangler synchronously between calls, long enough for the
    // API to close an idle kept-alive connection, and fetch would then reuse it and fail ("other side closed").
    const res = await fetch(`${base}${path}`, {
      method: init.method ?? "GET",
      headers: {
        authorization: `Bearer ${token}`,
        connection: "close",
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    }).catch((err: unknown) => {
      // fetch says only "fetch failed"; its cause says why (refused, reset, closed, no such host).
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      throw new Error(`could not reach Cloudflare's API at ${base} (${cause})`);
    });
    const body = (await res.json().catch(() => ({}))) as { success?: boolean; errors?: { code: number; message: string }[]; result?: T };
    if (!res.ok || body.success === false) {
      const first = body.errors?.[0];
      throw new CloudflareApiError(res.status, first?.code, `${first?.message ?? res.statusText} [code: ${first?.code ?? res.status}]`);
    }
    return body.result as T;
  };
  let accountId = env.CLOUDFLARE_ACCOUNT_ID;
  if (!accountId) {
    const accounts = await call<{ account: { id: string } }[]>("/memberships");
    if (accounts.length !== 1) return null; // several accounts: wrangler asks which one (CLOUDFLARE_ACCOUNT_ID)
    accountId = accounts[0].account.id;
  }
  return { accountId, call };
}

/** The account's workers.dev subdomain, or null when it has none yet (a brand-new account). */
export async function workersDevSubdomain(api: CloudflareApi): Promise<string | null> {
  try {
    return (await api.call<{ subdomain: string }>(`/accounts/${api.accountId}/workers/subdomain`)).subdomain;
  } catch (err) {
    if (err instanceof CloudflareApiError && err.code === 10007) return null;
    throw err;
  }
}

/** Where an author picks a workers.dev subdomain in the dashboard. */
export const onboardingLink = (accountId: string) => `https://dash.cloudflare.com/${accountId}/workers/onboarding`;

export const isValidSubdomain = (name: string) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name);

/** Registers `name` as the account's workers.dev subdomain; a taken name is a clear error. */
export async function registerWorkersDevSubdomain(api: CloudflareApi, name: string, command: string): Promise<void> {
  if (!isValidSubdomain(name))
    throw new Error(`"${name}" cannot be a workers.dev subdomain (lowercase letters, digits and dashes, up to 63): choose another, then \`${command}\` again.`);
  try {
    await api.call(`/accounts/${api.accountId}/workers/subdomains/${name}`);
  } catch (err) {
    if (err instanceof CloudflareApiError && err.code === 10031)
      throw new Error(`The workers.dev subdomain "${name}" is taken: choose another, then \`${command}\` again.`);
    if (!(err instanceof CloudflareApiError && err.code === 10032)) throw err; // 10032: available
  }
  await api.call(`/accounts/${api.accountId}/workers/subdomain`, { method: "PUT", body: { subdomain: name } });
}

/**
 * Turns on D1 read replication for a database: reads made through a session (workers/db/session.ts)
 * are answered by a copy near the reader; writes still go to the primary. Called by provision;
 * asks first, so a database already replicated is left as it is.
 */
export async function enableReadReplication(api: CloudflareApi, databaseId: string): Promise<"enabled" | "already"> {
  const db = await api.call<{ read_replication?: { mode?: string } }>(`/accounts/${api.accountId}/d1/database/${databaseId}`);
  if (db.read_replication?.mode === "auto") return "already";
  await api.call(`/accounts/${api.accountId}/d1/database/${databaseId}`, { method: "PATCH", body: { read_replication: { mode: "auto" } } });
  return "enabled";
}
