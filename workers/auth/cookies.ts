// Cookies: reading one from a request and writing one, the same way for every cookie billet sets
// (the commenter's own-comments cookie, the D1 bookmark). Signing lives with the secrets (tokens.ts).

/** The value of cookie `name`, or null. */
export function readCookie(request: Request, name: string): string | null {
  for (const part of (request.headers.get("Cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** A Set-Cookie value: whole site, not readable by scripts, sent on top-level navigation. */
export function setCookie(name: string, value: string, opts: { maxAge: number; secure: boolean }): string {
  return `${name}=${value}; Path=/; Max-Age=${opts.maxAge}; HttpOnly; SameSite=Lax${opts.secure ? "; Secure" : ""}`;
}

// Read-your-writes with D1 read replicas: a writer gets the session's bookmark in a short-lived
// cookie, and their next reads start from it, so they see their own comment.
export const BOOKMARK_COOKIE = "billet_d1";
const BOOKMARK = /^[\w.:+/=-]{1,200}$/;

export function bookmarkFrom(request: Request): string | null {
  const value = readCookie(request, BOOKMARK_COOKIE);
  return value && BOOKMARK.test(value) ? value : null;
}

export function bookmarkCookie(bookmark: string | null, secure: boolean): string | null {
  if (!bookmark || !BOOKMARK.test(bookmark)) return null;
  return setCookie(BOOKMARK_COOKIE, bookmark, { maxAge: 300, secure });
}
