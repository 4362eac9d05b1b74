// Entity tags for what the Worker answers from its caches (pages, comments JSON), and the
// conditional request that spares sending them again.

/** A strong tag for exactly these bytes. */
export async function etagOf(body: string | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", typeof body === "string" ? new TextEncoder().encode(body) : body);
  return `"${[...new Uint8Array(digest).slice(0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("")}"`;
}

/** Does If-None-Match name this tag? (a list, `*`, and weak forms all count: RFC 9110's weak comparison) */
export function notModified(request: Request, etag: string): boolean {
  const header = request.headers.get("If-None-Match");
  if (!header) return false;
  if (header.trim() === "*") return true;
  const bare = etag.replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === bare);
}
