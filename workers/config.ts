// Runtime settings, read from the Worker's vars (wrangler.toml [vars], .dev.vars, secrets).

import { siteOrigin } from "./store/thread-key.ts";

export type ModerationPolicy = "none" | "first-comment" | "all";

export interface Config {
  moderation: ModerationPolicy;
  editWindowMs: number;
  maxDepth: number;
  maxCommentLength: number;
  maxLinks: number;
  holdWords: string[];
  commentsPerPage: number;
  allowedOrigins: string[];
  turnstileSiteKey: string;
  /** The spam filter: at or above `spamThreshold` a new comment goes to spam, at or above `holdThreshold` it is held. */
  spamThreshold: number;
  holdThreshold: number;
  /** Days after which a comment's address hash is erased. */
  addressRetentionDays: number;
  /** Faces: billet's own identicons, or the commenter's Libravatar/Gravatar picture fetched by the Worker (identicon when they have none). */
  avatars: "identicon" | "libravatar" | "gravatar";
  /** Other sites whose pages may carry billet's comments (origins), and how many new threads a client may start in an hour. */
  embedSites: string[];
  embedThreadsPerHour: number;
  /** Cloudflare Access in front of the admin: the team's domain and the application's audience tag. */
  access: { teamDomain: string; audience: string } | null;
  /** Whether readers can mark comments useful (REACTIONS = "off" turns it off). */
  reactions: boolean;
}

function ratio(value: string | undefined, fallback: number): number {
  const n = Number.parseFloat(value ?? "");
  return Number.isFinite(n) && n >= 0 && n <= 1 ? n : fallback;
}

function int(value: string | undefined, fallback: number, min: number, max: number): number {
  const n = Number.parseInt(value ?? "", 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

const cache = new WeakMap<object, Config>();

/**
 * `copy` (a request's own env, its bindings wrapped: db/round-trips.ts) has `env`'s settings: the
 * same Config object, built once per isolate rather than once per request, and so fingerprinted
 * once for the cache keys (pages/cache.ts).
 */
export function shareConfig(copy: object, env: Env): void {
  cache.set(copy, getConfig(env));
}

export function getConfig(env: Env): Config {
  const hit = cache.get(env);
  if (hit) return hit;
  const moderation = (["none", "first-comment", "all"] as const).find((m) => m === env.MODERATION) ?? "first-comment";
  const config: Config = {
    moderation,
    editWindowMs: int(env.EDIT_WINDOW_MINUTES, 15, 0, 24 * 60) * 60_000,
    maxDepth: int(env.MAX_DEPTH, 3, 0, 10),
    maxCommentLength: int(env.MAX_COMMENT_LENGTH, 5000, 100, 50_000),
    maxLinks: int(env.MAX_LINKS, 2, 0, 100),
    holdWords: list(env.HOLD_WORDS).map((w) => w.toLowerCase()),
    commentsPerPage: int(env.COMMENTS_PER_PAGE, 50, 1, 500),
    allowedOrigins: list(env.ALLOWED_ORIGINS),
    turnstileSiteKey: env.TURNSTILE_SITE_KEY ?? "",
    spamThreshold: ratio(env.SPAM_THRESHOLD, 0.95),
    holdThreshold: Math.min(ratio(env.HOLD_THRESHOLD, 0.5), ratio(env.SPAM_THRESHOLD, 0.95)),
    addressRetentionDays: int(env.ADDRESS_RETENTION_DAYS, 30, 1, 3650),
    avatars: (["libravatar", "gravatar"] as const).find((a) => a === env.AVATARS) ?? "identicon",
    embedSites: list(env.EMBED_SITES)
      .map(siteOrigin)
      .filter((o): o is string => o !== null),
    embedThreadsPerHour: int(env.EMBED_THREADS_PER_HOUR, 10, 0, 10_000),
    access:
      env.ACCESS_TEAM_DOMAIN && env.ACCESS_AUD
        ? { teamDomain: env.ACCESS_TEAM_DOMAIN.replace(/^https?:\/\//, "").replace(/\/+$/, ""), audience: env.ACCESS_AUD }
        : null,
    reactions: env.REACTIONS !== "off",
  };
  cache.set(env, config);
  return config;
}
