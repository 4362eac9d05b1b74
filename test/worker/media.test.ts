// The old blog's media kept in R2: served with their type and a long cache, conditional and range
// requests, 404 for what is not there and for paths that try to leave media/, and the old
// /wp-content/uploads/ addresses sent to /media/.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { mediaKey, mediaType } from "../../workers/store/media.ts";
import { call } from "./helpers.ts";

const PHOTO = new Uint8Array(300).map((_, i) => i % 256);

beforeAll(async () => {
  await env.MEDIA.put("media/2008/03/photo.jpg", PHOTO, { httpMetadata: { contentType: "image/jpeg" } });
  await env.MEDIA.put("media/2011/01/l'été à paris.png", "png");
  await env.MEDIA.put("secret.txt", "not a medium");
});

describe("GET /media/<path> from R2", () => {
  it("serves a medium with its type, length and a long cache, and the CSP", async () => {
    const res = await call("/media/2008/03/photo.jpg");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("image/jpeg");
    expect(res.headers.get("Cache-Control")).toBe("public, max-age=2592000");
    expect(res.headers.get("Content-Security-Policy")).toContain("img-src 'self' data:");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(PHOTO);
    // An encoded name; the type from the name when the upload gave none.
    const accented = await call(`/media/2011/01/${encodeURIComponent("l'été à paris.png")}`);
    expect(accented.status).toBe(200);
    expect(accented.headers.get("Content-Type")).toBe("image/png");
    expect(await accented.text()).toBe("png");
  });

  it("answers If-None-Match with 304 and a range with 206", async () => {
    const first = await call("/media/2008/03/photo.jpg");
    await first.arrayBuffer();
    const etag = first.headers.get("ETag")!;
    const again = await call("/media/2008/03/photo.jpg", { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    const part = await call("/media/2008/03/photo.jpg", { headers: { Range: "bytes=10-19" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("Content-Range")).toBe("bytes 10-19/300");
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(PHOTO.slice(10, 20));
  });

  it("404 for an unknown medium and for paths out of media/", async () => {
    for (const path of ["/media/2008/03/nope.jpg", "/media/%2e%2e/secret.txt", "/media/..%2Fsecret.txt", "/media/2008//photo.jpg", "/media/%E0%A4%A"]) {
      const res = await call(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain("not a medium");
    }
  });

  it("sends an old upload address to its medium", async () => {
    const res = await call("/wp-content/uploads/2008/03/photo.jpg", { redirect: "manual" });
    expect(res.status).toBe(301);
    expect(new URL(res.headers.get("Location")!).pathname).toBe("/media/2008/03/photo.jpg");
  });
});

describe("media keys and types", () => {
  it("keys stay under media/", () => {
    for (const bad of ["..", "a/../b", "%2e%2e/x", "a//b", "a\\b", "", "%00"]) expect(mediaKey(bad), bad).toBeNull();
    expect(mediaKey("2008/03/a%20b.jpg")).toBe("media/2008/03/a b.jpg");
    expect(mediaType("A.JPG")).toBe("image/jpeg");
    expect(mediaType("clip.mp4")).toBe("video/mp4");
    expect(mediaType("noext")).toBe("application/octet-stream");
  });
});
