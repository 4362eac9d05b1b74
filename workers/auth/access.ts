// Cloudflare Access in front of the admin: the identity in the `Cf-Access-Jwt-Assertion` header,
// a JWT signed (RS256) by the team's keys, published at https://<team>/cdn-cgi/access/certs.
// Trusted only when its signature, audience, issuer and time all check out.

interface Jwk extends JsonWebKey {
  kid?: string;
}

const KEYS_TTL_MS = 3_600_000;
// Keys rotate: a token signed by a key not known here makes the keys be fetched again, at most
// once a minute per isolate (so a flood of made-up key ids cannot make it fetch on every request).
const REFETCH_MIN_MS = 60_000;
// Access's key endpoint answers fast; a sign-in never hangs on it.
const FETCH_TIMEOUT_MS = 5_000;
let keyCache: { team: string; at: number; keys: Map<string, Promise<CryptoKey>> } | null = null;

function base64urlBytes(s: string): Uint8Array {
  const b64 = s
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(s.length / 4) * 4, "=");
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function decodePart<T>(s: string): T | null {
  try {
    return JSON.parse(new TextDecoder().decode(base64urlBytes(s))) as T;
  } catch {
    return null;
  }
}

async function fetchTeamKeys(team: string, now: number): Promise<Map<string, Promise<CryptoKey>>> {
  const res = await fetch(`https://${team}/cdn-cgi/access/certs`, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`Access keys answered ${res.status}`);
  const { keys = [] } = (await res.json()) as { keys?: Jwk[] };
  const map = new Map<string, Promise<CryptoKey>>();
  for (const jwk of keys) {
    if (jwk.kid && jwk.kty === "RSA") map.set(jwk.kid, crypto.subtle.importKey("jwk", jwk, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]));
  }
  keyCache = { team, at: now, keys: map };
  return map;
}

/** The team's key with this id: from memory while fresh, fetched again when unknown (not more than once a minute). */
async function teamKey(team: string, kid: string, now: number): Promise<Promise<CryptoKey> | undefined> {
  const cached = keyCache && keyCache.team === team ? keyCache : null;
  if (cached && now - cached.at < KEYS_TTL_MS) {
    const known = cached.keys.get(kid);
    if (known || now - cached.at < REFETCH_MIN_MS) return known;
  }
  return (await fetchTeamKeys(team, now)).get(kid);
}

/** The email (or subject) of a valid Access identity, or null. Never throws. */
export async function accessIdentity(request: Request, access: { teamDomain: string; audience: string }, now = Date.now()): Promise<string | null> {
  const token = request.headers.get("Cf-Access-Jwt-Assertion");
  if (!token) return null;
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const header = decodePart<{ alg?: string; kid?: string }>(parts[0]);
  const claims = decodePart<{ aud?: string | string[]; iss?: string; exp?: number; nbf?: number; email?: string; sub?: string }>(parts[1]);
  if (!header || !claims || header.alg !== "RS256" || !header.kid) return null;
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(access.audience)) return null;
  if (claims.iss !== `https://${access.teamDomain}`) return null;
  const seconds = now / 1000;
  if (typeof claims.exp !== "number" || claims.exp <= seconds || (typeof claims.nbf === "number" && claims.nbf > seconds + 60)) return null;
  try {
    const key = await teamKey(access.teamDomain, header.kid, now);
    if (!key) return null;
    const ok = await crypto.subtle.verify("RSASSA-PKCS1-v1_5", await key, base64urlBytes(parts[2]), new TextEncoder().encode(`${parts[0]}.${parts[1]}`));
    return ok ? (claims.email ?? claims.sub ?? "access") : null;
  } catch (err) {
    console.error("Access identity not checked", err instanceof Error ? err.message : err);
    return null;
  }
}

/** For tests: forget the team's keys. */
export function forgetAccessKeys(): void {
  keyCache = null;
}
