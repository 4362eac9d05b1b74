// Who may do what: the admin token, commenters' edit tokens and signed cookie, hashed addresses.
import { accessIdentity } from "./access.ts";
import { getConfig } from "../config.ts";
import { readCookie, setCookie } from "./cookies.ts";
import { recordFailedSignIn } from "../db/desk.ts";
import { ApiError } from "../http/answers.ts";

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

/**
 * A face's key (render/faces.ts): 80 bits of an HMAC with the signing secret, in hex, so that no
 * face address can be matched to an email by hashing addresses (as Gravatar's MD5 can). Null
 * without the secret (readers still read; the page shows no faces).
 */
export async function faceKey(env: Env, subject: string): Promise<string | null> {
  const secret = secretOf(env, "SIGNING_SECRET");
  if (!secret) return null;
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(`face|${subject}`)));
  let hex = "";
  for (const b of mac.subarray(0, 10)) hex += b.toString(16).padStart(2, "0");
  return hex;
}

// With Libravatar/Gravatar faces, a face's address carries the email's SHA-256 (what those sites
// are asked by) sealed with AES-GCM under a key derived from the signing secret: the Worker can
// open it to fetch the picture; nobody else learns the hash. The IV comes from the hash itself
// (an HMAC), so one address is one URL (cacheable) and tells nothing that its key does not.
const sealKeys = new Map<string, Promise<CryptoKey>>();
function sealKey(secret: string): Promise<CryptoKey> {
  let key = sealKeys.get(secret);
  if (!key) {
    key = crypto.subtle
      .digest("SHA-256", encoder.encode(`face-seal|${secret}`))
      .then((raw) => crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]));
    sealKeys.set(secret, key);
  }
  return key;
}

/** The sealed SHA-256 (hex) of a lower-cased email, for a face's address; null without the secret. */
export async function sealEmailHash(env: Env, email: string): Promise<string | null> {
  const secret = secretOf(env, "SIGNING_SECRET");
  if (!secret) return null;
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(email.trim().toLowerCase())));
  const iv = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(`face-iv|${email.trim().toLowerCase()}`))).slice(0, 12);
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await sealKey(secret), hash));
  const out = new Uint8Array(iv.length + sealed.length);
  out.set(iv);
  out.set(sealed, iv.length);
  return base64url(out);
}

/** The email's SHA-256 (hex) a face's address sealed, or null when it was not sealed here. */
export async function openEmailHash(env: Env, sealed: string): Promise<string | null> {
  const secret = secretOf(env, "SIGNING_SECRET");
  if (!secret || !/^[\w-]{80}$/.test(sealed)) return null;
  try {
    const bytes = Uint8Array.from(atob(sealed.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    const plain = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.slice(0, 12) }, await sealKey(secret), bytes.slice(12)));
    return [...plain].map((b) => b.toString(16).padStart(2, "0")).join("");
  } catch {
    return null;
  }
}

/** Shorter secrets than this are refused: they could be guessed, and with them every signature. */
export const MIN_SECRET_LENGTH = 16;

type SecretName = "ADMIN_TOKEN" | "SIGNING_SECRET";

function secretOf(env: Env, name: SecretName): string | null {
  const value = env[name];
  return typeof value === "string" && value.length >= MIN_SECRET_LENGTH ? value : null;
}

/**
 * A secret the Worker cannot work safely without. Missing (or too short), the request is refused
 * with a 503 that says what to set, and the log says it too: signing with anything else would let
 * anyone forge a commenter's cookie.
 */
export function requireSecret(env: Env, name: SecretName): string {
  const value = secretOf(env, name);
  if (value) return value;
  console.error(
    `${name} is not set (or is shorter than ${MIN_SECRET_LENGTH} characters): set it with \`npx wrangler secret put ${name}\` (locally, in .dev.vars).`,
  );
  throw new ApiError(
    503,
    "not_configured",
    `This site is not fully set up (${name} is missing); nothing was saved. Its author has been told in the logs.`,
    undefined,
    {
      "Retry-After": "3600",
    },
  );
}

/**
 * Admin routes: a Cloudflare Access identity (when Access is configured), or
 * `Authorization: Bearer <ADMIN_TOKEN>` compared in constant time. Answers who acted, for the audit
 * log. Failed attempts are limited per client network: past the limit, every sign-in from that
 * network is refused until the wait is over — the right token too, so guessing cannot go on
 * in the background of a valid session.
 */
export async function requireAdmin(request: Request, env: Env): Promise<string> {
  const network = await hashAddress(request, env).catch(() => null);
  const key = `admin|${network ?? "unknown"}`;
  const wait = await signInWait(request, key);
  if (wait > 0) throw tooManySignIns(wait);
  const access = getConfig(env).access;
  if (access) {
    const who = await accessIdentity(request, access);
    if (who) return `access:${who}`;
  }
  const token = requireSecret(env, "ADMIN_TOKEN");
  const given = request.headers.get("Authorization");
  const match = /^Bearer\s+(.+)$/i.exec(given ?? "");
  if (match && equalInTime(match[1].trim(), token)) return "token";
  // Asking without any token (the admin page looking for an Access session) guesses nothing.
  const { success } = given === null ? { success: true } : await env.ADMIN_RATE_LIMITER.limit({ key });
  if (!success) {
    await lockSignIns(request, key, SIGN_IN_LOCK_MS);
    throw tooManySignIns(SIGN_IN_LOCK_MS / 1000);
  }
  // In the log (those within the limit: past it, nothing is written).
  if (given !== null) await recordFailedSignIn(env.DB, Date.now());
  throw new ApiError(401, "unauthorized", "A valid admin token is required.", undefined, { "WWW-Authenticate": 'Bearer realm="billet admin"' });
}

// A network past the limit of failed sign-ins is locked for a minute (the limiter's own period).
// The limiter only answers when it is asked to count, so the lock is kept beside it: in this
// isolate, and in the data centre's cache (the limiter counts per data centre too).
const SIGN_IN_LOCK_MS = 60_000;
const signInLocks = new Map<string, number>();

const lockRequest = (request: Request, key: string) => new Request(`${new URL(request.url).origin}/__billet/sign-in-lock/${encodeURIComponent(key)}`);

function tooManySignIns(seconds: number): ApiError {
  const wait = String(Math.max(1, Math.ceil(seconds)));
  return new ApiError(429, "rate_limited", `Too many failed sign-ins from this network; please wait ${wait} s.`, undefined, { "Retry-After": wait });
}

/** Seconds this network must still wait before signing in (0: it may). */
async function signInWait(request: Request, key: string, now = Date.now()): Promise<number> {
  let until = signInLocks.get(key) ?? 0;
  if (until <= now) {
    signInLocks.delete(key);
    const cached = await caches.default.match(lockRequest(request, key)).catch(() => undefined);
    until = Number((await cached?.text()) ?? 0) || 0;
    if (until > now) signInLocks.set(key, until);
  }
  return until > now ? (until - now) / 1000 : 0;
}

async function lockSignIns(request: Request, key: string, ms: number, now = Date.now()): Promise<void> {
  const until = now + ms;
  signInLocks.set(key, until);
  const res = new Response(String(until), { headers: { "Cache-Control": `max-age=${Math.ceil(ms / 1000)}` } });
  await caches.default.put(lockRequest(request, key), res).catch(() => undefined);
}

/** For tests: forget the sign-in locks this isolate keeps (the cached ones end on their own). */
export function forgetSignInLocks(): void {
  signInLocks.clear();
}

/**
 * The edit token of a new comment, and the hash that is stored. With the client's Idempotency-Key
 * the token is derived from it and from the client (see clientOf), so a retry of the same post by
 * the same client gets the same token back, and only that client.
 */
export async function newEditToken(env: Env, idempotencyScope?: string): Promise<{ token: string; hash: string }> {
  const token = idempotencyScope
    ? await hmac(requireSecret(env, "SIGNING_SECRET"), `edit|${idempotencyScope}`)
    : base64url(crypto.getRandomValues(new Uint8Array(24)));
  return { token, hash: await sha256(token) };
}

/** Who sent a request, as far as a retry can tell: its network and its browser (never stored as such). */
export async function clientOf(request: Request, env: Env): Promise<string> {
  return `${(await hashAddress(request, env)) ?? "-"}|${await sha256(request.headers.get("User-Agent") ?? "")}`;
}

export async function editTokenMatches(token: string | null, hash: string | null): Promise<boolean> {
  if (!token || !hash) return false;
  return equalInTime(await sha256(token), hash);
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * What identifies a client for rate limits and moderation: an IPv4 address, or the /64 network of
 * an IPv6 address (one subscriber is given a whole /64, 2^64 addresses; Cloudflare's advice for
 * rate limiting). An IPv4 address written as IPv6 (::ffff:192.0.2.1) is the IPv4 address.
 */
export function clientNetwork(address: string): string | null {
  const ip = address.trim().toLowerCase();
  if (IPV4.test(ip)) return ip;
  // An IPv4 tail (::ffff:192.0.2.1) stands for the last two words.
  const v4tail = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(ip);
  const halves = (v4tail ? `${ip.slice(0, v4tail.index)}:0:0` : ip).split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const words = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!words.every((w) => /^[0-9a-f]{1,4}$/.test(w))) return null;
  const n = words.map((w) => Number.parseInt(w, 16));
  if (v4tail && n.slice(0, 5).every((x) => x === 0) && n[5] === 0xffff) return v4tail[1];
  return `${n
    .slice(0, 4)
    .map((x) => x.toString(16))
    .join(":")}::/64`;
}

/** The client's network (see clientNetwork), or null when the request carries no address. */
export function networkOf(request: Request): string | null {
  const ip = request.headers.get("CF-Connecting-IP");
  return ip ? clientNetwork(ip) : null;
}

/**
 * The client's network, hashed with the signing secret: the same client is the same hash (rate
 * limits, blocks by address), and the address itself is never stored. The hash is erased from
 * comments after ADDRESS_RETENTION_DAYS. Null when the request carries no address (it did not
 * come through Cloudflare's edge).
 */
export async function hashAddress(request: Request, env: Env): Promise<string | null> {
  const network = networkOf(request);
  return network ? hashNetwork(env, network) : null;
}

export async function hashNetwork(env: Env, network: string): Promise<string> {
  return (await hmac(requireSecret(env, "SIGNING_SECRET"), `net|${network}`)).slice(0, 22);
}

// The commenter's cookie: the ids of their own recent comments, when the cookie ends, and
// optionally a keyed tag of an address this browser proved it reads (by confirming it from the
// email billet sent there), signed. It lets them see their pending comments and edit or delete
// within the window without keeping the token themselves; it is what trust (first-comment
// moderation) and consent to reply emails rest on, never the email typed in the form. The end is
// checked here, not only by the browser, so a copied cookie stops working too.
export const OWN_COOKIE = "billet_own";
const OWN_MAX = 20;
export const OWN_COOKIE_MAX_AGE = 30 * 24 * 3600;

export interface OwnCookie {
  /** The reader's own recent comments. */
  ids: number[];
  /** The tag (see mailTag) of the address this browser proved, or null. */
  mail: string | null;
}

/** The keyed tag of an email address as the cookie carries it: the same address, the same tag; no address from it. */
export async function mailTag(env: Env, email: string): Promise<string> {
  return (await hmac(requireSecret(env, "SIGNING_SECRET"), `mail|${email.toLowerCase()}`)).slice(0, 22);
}

const ownSigned = (ids: string, expires: string, mail: string | undefined) => (mail ? `own|${ids}|${expires}|${mail}` : `own|${ids}|${expires}`);

/** A valid, unexpired own-comments cookie; empty without the signing secret. */
export async function readOwnCookie(request: Request, env: Env, now = Date.now()): Promise<OwnCookie> {
  const none = { ids: [], mail: null };
  const value = readCookie(request, OWN_COOKIE);
  const secret = secretOf(env, "SIGNING_SECRET");
  if (!value || !secret) return none;
  const match = /^((?:\d{1,15}(?:-\d{1,15}){0,19})?)\.(\d{1,12})(?:\.([\w-]{22}))?\.([\w-]{43})$/.exec(value);
  if (!match) return none;
  const [, ids, expires, mail, sig] = match;
  if (Number(expires) * 1000 <= now) return none;
  if (!equalInTime(sig, await hmac(secret, ownSigned(ids, expires, mail)))) return none;
  return { ids: ids ? ids.split("-").map(Number) : [], mail: mail ?? null };
}

/** The ids in a valid, unexpired own-comments cookie; none without the signing secret. */
export async function readOwnIds(request: Request, env: Env, now = Date.now()): Promise<number[]> {
  return (await readOwnCookie(request, env, now)).ids;
}

/** Does this request's cookie prove the reader reads this address? */
export async function provesAddress(cookie: OwnCookie, env: Env, email: string | null | undefined): Promise<boolean> {
  return Boolean(email && cookie.mail && equalInTime(cookie.mail, await mailTag(env, email)));
}

export async function ownCookie(env: Env, ids: number[], secure: boolean, now = Date.now(), mail: string | null = null): Promise<string> {
  const list = [...new Set(ids)].slice(-OWN_MAX).join("-");
  const expires = String(Math.floor(now / 1000) + OWN_COOKIE_MAX_AGE);
  const sig = await hmac(requireSecret(env, "SIGNING_SECRET"), ownSigned(list, expires, mail ?? undefined));
  return setCookie(OWN_COOKIE, `${list}.${expires}${mail ? `.${mail}` : ""}.${sig}`, { maxAge: OWN_COOKIE_MAX_AGE, secure });
}

// Signed links in emails (one-click moderation, confirming a subscription, stopping one): a small
// JSON payload with its purpose and end, and an HMAC over both. Nothing is stored until used.
type LinkPurpose = "moderate" | "reply-ref" | "confirm" | "stop" | "author";

function base64urlText(text: string): string {
  return base64url(encoder.encode(text));
}

function textOfBase64url(s: string): string | null {
  try {
    const b64 = s
      .replace(/-/g, "+")
      .replace(/_/g, "/")
      .padEnd(Math.ceil(s.length / 4) * 4, "=");
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

export async function signLink(env: Env, purpose: LinkPurpose, payload: Record<string, string | number>, ttlMs: number, now = Date.now()): Promise<string> {
  const body = base64urlText(JSON.stringify({ ...payload, e: Math.floor((now + ttlMs) / 1000) }));
  return `${body}.${await hmac(requireSecret(env, "SIGNING_SECRET"), `${purpose}|${body}`)}`;
}

/** The payload of a valid, unexpired link for this purpose, or null. */
export async function verifyLink<T extends Record<string, string | number>>(
  env: Env,
  purpose: LinkPurpose,
  token: string,
  now = Date.now(),
): Promise<T | null> {
  const match = /^([\w-]{1,600})\.([\w-]{43})$/.exec(token);
  const secret = secretOf(env, "SIGNING_SECRET");
  if (!match || !secret) return null;
  if (!equalInTime(match[2], await hmac(secret, `${purpose}|${match[1]}`))) return null;
  const text = textOfBase64url(match[1]);
  try {
    const payload = text ? (JSON.parse(text) as T & { e?: number }) : null;
    if (!payload || typeof payload.e !== "number" || payload.e * 1000 <= now) return null;
    return payload;
  } catch {
    return null;
  }
}

// The author's cookie: set by the admin API to a signed-in author (token or Access), it lets the
// comment form on the blog's own pages publish as the author, with the badge. It names the admin
// token it was given under (a tag of it), so changing ADMIN_TOKEN signs every browser out.
export const AUTHOR_COOKIE = "billet_author";
export const AUTHOR_COOKIE_MAX_AGE = 30 * 24 * 3600;

const adminTag = async (env: Env) => (await sha256(`author|${requireSecret(env, "ADMIN_TOKEN")}`)).slice(0, 12);

/** The Set-Cookie for a signed-in author (`actor` as the audit log names them). */
export async function authorCookie(env: Env, actor: string, secure: boolean): Promise<string> {
  const token = await signLink(env, "author", { a: actor.slice(0, 200), t: await adminTag(env) }, AUTHOR_COOKIE_MAX_AGE * 1000);
  return setCookie(AUTHOR_COOKIE, token, { maxAge: AUTHOR_COOKIE_MAX_AGE, secure });
}

/** Who the request is as the blog's author (their author cookie, or a Cloudflare Access session), or null. */
export async function authorOf(request: Request, env: Env): Promise<string | null> {
  const token = readCookie(request, AUTHOR_COOKIE);
  if (token && secretOf(env, "ADMIN_TOKEN") && secretOf(env, "SIGNING_SECRET")) {
    const payload = await verifyLink<{ a: string; t: string }>(env, "author", token);
    if (payload && typeof payload.a === "string" && payload.t === (await adminTag(env))) return payload.a;
  }
  const access = getConfig(env).access;
  if (access && request.headers.has("Cf-Access-Jwt-Assertion")) {
    const who = await accessIdentity(request, access).catch(() => null);
    if (who) return `access:${who}`;
  }
  return null;
}

// A reader's "useful" marks rest on a random id in a signed cookie of their own (no account): one
// mark per id and comment. Given to a reader the first time they mark a comment.
export const READER_COOKIE = "billet_reader";
const READER_COOKIE_MAX_AGE = 365 * 24 * 3600;

/** The reader's id from their signed cookie, or a new one and the cookie that carries it. */
export async function readerOf(request: Request, env: Env, secure: boolean): Promise<{ id: string; setCookie: string | null }> {
  const secret = requireSecret(env, "SIGNING_SECRET");
  const match = /^([\w-]{22})\.([\w-]{43})$/.exec(readCookie(request, READER_COOKIE) ?? "");
  if (match && equalInTime(match[2], await hmac(secret, `reader|${match[1]}`))) return { id: match[1], setCookie: null };
  const id = base64url(crypto.getRandomValues(new Uint8Array(16)));
  return { id, setCookie: setCookie(READER_COOKIE, `${id}.${await hmac(secret, `reader|${id}`)}`, { maxAge: READER_COOKIE_MAX_AGE, secure }) };
}
