// GET /avatars/<key>.svg: a commenter's face, drawn from its key alone (no storage read), the same
// forever: cached by browsers and Cloudflare for a year. Any other name is the 404 page.
import { FACE_KEY, identiconSvg } from "../render/faces.ts";
import { otherAddress } from "./redirects.ts";

export function faceRoute(request: Request & { params: Record<string, string> }, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
  const name = request.params.name ?? "";
  const key = name.endsWith(".svg") ? name.slice(0, -4) : "";
  if (!FACE_KEY.test(key)) return otherAddress(request, env, ctx);
  const etag = `"${key}"`;
  const headers = { "Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=31536000, immutable", ETag: etag };
  if (request.headers.get("If-None-Match") === etag) return new Response(null, { status: 304, headers });
  return new Response(request.method === "HEAD" ? null : identiconSvg(key), { headers });
}
