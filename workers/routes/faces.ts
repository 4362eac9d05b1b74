// GET /avatars/<key>.svg: a commenter's face, drawn from its key alone (no storage read), the same
// forever: cached by browsers and Cloudflare for a year. With AVATARS = "libravatar" or "gravatar",
// GET /avatars/<key>-<sealed>: the commenter's picture there, fetched by the Worker (the reader's
// browser never asks that site) and kept a day in the data centre's cache; their identicon when
// they have none or the site does not answer. Any other name is the 404 page.
import { openEmailHash } from "../auth/tokens.ts";
import { getConfig } from "../config.ts";
import { faceName, identiconSvg } from "../render/faces.ts";
import { otherAddress } from "./redirects.ts";

const REMOTE = { libravatar: "https://seccdn.libravatar.org/avatar/", gravatar: "https://gravatar.com/avatar/" } as const;
const DAY = 86_400;
/** A picture larger than this is not taken (a face is shown at 40 px). */
const MAX_PICTURE_BYTES = 200_000;

function identicon(request: Request, key: string, maxAge: number): Response {
  const etag = `"${key}"`;
  const cache = maxAge >= 365 * DAY ? `public, max-age=${maxAge}, immutable` : `public, max-age=${maxAge}`;
  const headers = { "Content-Type": "image/svg+xml", "Cache-Control": cache, ETag: etag };
  if (request.headers.get("If-None-Match") === etag) return new Response(null, { status: 304, headers });
  return new Response(request.method === "HEAD" ? null : identiconSvg(key), { headers });
}

export async function faceRoute(request: Request & { params: Record<string, string> }, env: Env, ctx: ExecutionContext): Promise<Response> {
  const face = faceName(request.params.name ?? "");
  if (!face) return otherAddress(request, env, ctx);
  if (face.sealed === null) return identicon(request, face.key, 365 * DAY);
  const hash = await openEmailHash(env, face.sealed);
  if (!hash) return otherAddress(request, env, ctx);
  const mode = getConfig(env).avatars;
  // Pages made before the option was turned off still name these: the identicon.
  if (mode === "identicon") return identicon(request, face.key, DAY);
  const cacheKey = new Request(new URL(`/avatars/${request.params.name}`, request.url).toString());
  const kept = await caches.default.match(cacheKey).catch(() => undefined);
  if (kept) return kept;
  let answer: Response | null = null;
  try {
    const upstream = await fetch(`${REMOTE[mode]}${hash}?s=80&d=404`, { headers: { Accept: "image/png,image/jpeg,image/gif,image/webp" } });
    const type = (upstream.headers.get("Content-Type") ?? "").split(";")[0].trim().toLowerCase();
    // Raster pictures only: an SVG from elsewhere is not served from this site.
    if (upstream.ok && /^image\/(png|jpeg|gif|webp)$/.test(type)) {
      const body = await upstream.arrayBuffer();
      if (body.byteLength <= MAX_PICTURE_BYTES) answer = new Response(body, { headers: { "Content-Type": type, "Cache-Control": `public, max-age=${DAY}` } });
    } else {
      await upstream.body?.cancel();
    }
  } catch (err) {
    console.error("avatar site unavailable", mode, err instanceof Error ? err.message : err);
    // Not kept: asked again in a few minutes.
    return identicon(request, face.key, 300);
  }
  answer ??= identicon(new Request(request.url), face.key, DAY);
  ctx.waitUntil(caches.default.put(cacheKey, answer.clone()).catch(() => undefined));
  return answer;
}
