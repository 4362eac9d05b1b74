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

// A hint for the widget that this browser wrote a comment it may still change: it holds only when
// the last edit window ends (no ids: those stay in the HttpOnly cookie, answered by
// GET /api/comments/mine), and is readable by scripts, so a reader who has written nothing lately
// makes no request at all. It goes away by itself with the window.
export const EDIT_HINT_COOKIE = "billet_edit";

export function editHintCookie(untilMs: number, now: number, secure: boolean): string {
  const maxAge = Math.max(0, Math.ceil((untilMs - now) / 1000));
  return `${EDIT_HINT_COOKIE}=${Math.floor(untilMs / 1000)}; Path=/; Max-Age=${maxAge}; SameSite=Lax${secure ? "; Secure" : ""}`;
}
