// GET /media/<path>: a medium of the old blog kept in R2 (the static assets answer first for those
// that fit there; the Worker runs only for the others). Conditional and range requests answered;
// anything not in the bucket, or a path that is not a medium's (.., empty parts), goes on as any
// other address (the 404 page). GET /wp-content/uploads/<path>: 301 to /media/<path>.
import { MEDIA_CACHE_CONTROL, mediaKey, mediaType, readMedia } from "../store/media.ts";
import { otherAddress } from "./redirects.ts";

export async function mediaFile(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  const key = mediaKey(url.pathname.slice("/media/".length));
  const object = key ? await readMedia(env.MEDIA, key, request.headers) : null;
  if (!object) return otherAddress(request, env, ctx);
  const headers = new Headers();
  object.writeHttpMetadata(headers);
  if (!headers.has("Content-Type")) headers.set("Content-Type", mediaType(key!));
  headers.set("Cache-Control", MEDIA_CACHE_CONTROL);
  headers.set("ETag", object.httpEtag);
  headers.set("Accept-Ranges", "bytes");
  // No body: a condition of the request failed (If-None-Match matched: not modified).
  if (!("body" in object)) return new Response(null, { status: 304, headers });
  const body = (object as R2ObjectBody).body;
  const range = object.range as { offset?: number; length?: number } | undefined;
  if (range && request.headers.has("Range")) {
    const offset = range.offset ?? 0;
    const length = range.length ?? object.size - offset;
    headers.set("Content-Range", `bytes ${offset}-${offset + length - 1}/${object.size}`);
    headers.set("Content-Length", String(length));
    return new Response(request.method === "HEAD" ? null : body, { status: 206, headers });
  }
  headers.set("Content-Length", String(object.size));
  return new Response(request.method === "HEAD" ? null : body, { headers });
}

/** An old upload address: its medium at billet's address (the same path under /media/). */
export function oldUpload(request: Request): Response {
  const url = new URL(request.url);
  const rest = url.pathname.replace(/^(?:\/[^/]+)*?\/wp-content\/uploads\//, "");
  return Response.redirect(new URL(`/media/${rest}`, url).toString(), 301);
}
