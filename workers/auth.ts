// Who may do what: the admin token, commenters' edit tokens and signed cookie, hashed addresses.
import { ApiError } from "./http.ts";

const encoder = new TextEncoder();

function base64url(bytes: ArrayBuffer | Uint8Array): string {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function equalInTime(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  if (x.byteLength !== y.byteLength) return false;
  return crypto.subtle.timingSafeEqual(x, y);
}

export async function sha256(text: string): Promise<string> {
  return base64url(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

const keys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(secret, key);
  }
  return key;
}

async function hmac(secret: string, text: string): Promise<string> {
  return base64url(await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(text)));
}

function signingSecret(env: Env): string {
  // A deploy without SIGNING_SECRET still works; cookies and address hashes then use the admin token.
  return env.SIGNING_SECRET || env.ADMIN_TOKEN || "billet-unconfigured";
}

/** Admin routes: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. */
export function requireAdmin(request: Request, env: Env): void {
  const header = request.headers.get("Authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!env.ADMIN_TOKEN || !match || !equalInTime(match[1].trim(), env.ADMIN_TOKEN)) {
    throw new ApiError(401, "unauthorized", "A valid admin token is required.", undefined, { "WWW-Authenticate": 'Bearer realm="billet admin"' });
  }
}

/** A fresh edit token for a new comment, and the hash that is stored. */
export async function newEditToken(): Promise<{ token: string; hash: string }> {
  const token = base64url(crypto.getRandomValues(new Uint8Array(24)));
  return { token, hash: await sha256(token) };
}

export async function editTokenMatches(token: string | null, hash: string | null): Promise<boolean> {
  if (!token || !hash) return false;
  return equalInTime(await sha256(token), hash);
}

/**
 * The client address, salted with the signing secret and the day: the same reader is the same
 * hash for a day (rate limits, moderation), and the address itself is never stored.
 */
export async function hashAddress(request: Request, env: Env, now = Date.now()): Promise<string | null> {
  const ip = request.headers.get("CF-Connecting-IP");
  if (!ip) return null;
  const day = new Date(now).toISOString().slice(0, 10);
  return (await hmac(signingSecret(env), `ip|${day}|${ip}`)).slice(0, 22);
}

// The commenter's cookie: the ids of their own recent comments, signed. It lets them see their
// pending comments and edit or delete within the window without keeping the token themselves.
export const OWN_COOKIE = "billet_own";
const OWN_MAX = 20;
export const OWN_COOKIE_MAX_AGE = 30 * 24 * 3600;

export async function readOwnIds(request: Request, env: Env): Promise<number[]> {
  const cookie = request.headers.get("Cookie");
  if (!cookie) return [];
  const value = cookie
    .split(";")
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${OWN_COOKIE}=`))
    ?.slice(OWN_COOKIE.length + 1);
  if (!value) return [];
  const [ids, sig] = value.split(".");
  if (!ids || !sig || !/^\d+(-\d+)*$/.test(ids)) return [];
  if (!equalInTime(sig, await hmac(signingSecret(env), `own|${ids}`))) return [];
  return ids.split("-").map(Number).slice(0, OWN_MAX);
}

export async function ownCookie(env: Env, ids: number[], secure: boolean): Promise<string> {
  const list = [...new Set(ids)].slice(-OWN_MAX).join("-");
  const sig = await hmac(signingSecret(env), `own|${list}`);
  return `${OWN_COOKIE}=${list}.${sig}; Path=/; Max-Age=${OWN_COOKIE_MAX_AGE}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}
