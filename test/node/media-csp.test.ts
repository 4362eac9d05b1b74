// The CSP from content/site.json (media_hosts, embed_hosts): the hosts added where they belong and
// nothing else, the same policy for the Worker and public/_headers; and the build putting the
// old blog's media into the static assets while they fit Cloudflare's limits, the rest for R2.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildSite } from "../../scripts/build.ts";
import { ROOT, readSite } from "../../scripts/content.ts";
import { checkedHosts, headersFile } from "../../scripts/headers.ts";
import { mediaToUpload, placeMedia, uploadMedia, type R2Medium } from "../../scripts/media.ts";
import { contentSecurityPolicy, cspHostsOf } from "../../workers/http/csp.ts";

const tmp = mkdtempSync(join(tmpdir(), "billet-media-csp-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const directives = (csp: string) => new Map(csp.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1)]));

describe("the CSP", () => {
  it("adds the media hosts to img-src and media-src, the embed hosts to frame-src, and nothing else", () => {
    const base = directives(contentSecurityPolicy({ turnstile: false }));
    const site = { media_hosts: ["media.example.org", "https://Photos.Example.net/"], embed_hosts: ["player.vimeo.com"] };
    const withHosts = directives(contentSecurityPolicy({ turnstile: false, ...cspHostsOf(site) }));
    expect([...withHosts.keys()]).toEqual([...base.keys()]);
    for (const [name, sources] of withHosts) {
      const added = sources.filter((s) => !base.get(name)!.includes(s));
      if (name === "img-src" || name === "media-src") expect(added, name).toEqual(["https://media.example.org", "https://photos.example.net"]);
      else if (name === "frame-src") expect(added).toEqual(["https://player.vimeo.com"]);
      else expect(added, name).toEqual([]);
      expect(
        base.get(name)!.filter((s) => !sources.includes(s)),
        name,
      ).toEqual([]);
    }
    // Nothing inline, ever: no 'unsafe-inline', no wildcard.
    expect(contentSecurityPolicy({ turnstile: true, ...cspHostsOf(site) })).not.toMatch(/unsafe|\*/);
  });

  it("refuses what is not a host name in site.json (the build stops), and the Worker leaves it out", () => {
    const site = { media_hosts: ["ok.example.org", "*.example.org", "https://x.org/path", "javascript:alert(1)", 3, "'self'"] };
    expect(() => checkedHosts(site)).toThrow(/not a host name.*\*\.example\.org.*x\.org\/path.*javascript/);
    expect(cspHostsOf(site).mediaHosts).toEqual(["ok.example.org"]);
    expect(cspHostsOf({}).mediaHosts).toEqual([]);
  });

  it("is the same in public/_headers as on the Worker's answers", async () => {
    const content = join(tmp, "content-csp");
    cpSync(join(ROOT, "content"), content, { recursive: true });
    const site = { ...readSite(content), media_hosts: ["media.example.org"], embed_hosts: ["www.youtube-nocookie.com"] };
    writeFileSync(join(content, "site.json"), JSON.stringify(site));
    const pub = join(tmp, "public-csp");
    await buildSite({ content, public: pub, build: join(tmp, "build-csp"), scripts: false });
    const headers = readFileSync(join(pub, "_headers"), "utf8");
    expect(headers).toBe(headersFile(site));
    const line = /Content-Security-Policy: (.*)/.exec(headers)![1];
    expect(line).toBe(contentSecurityPolicy({ turnstile: false, ...cspHostsOf(site) }));
    expect(line).toContain("img-src 'self' data: https://media.example.org;");
    expect(line).toContain("frame-src https://challenges.cloudflare.com https://www.youtube-nocookie.com;");
    // The committed file is what the build writes for the project's own site.json.
    expect(readFileSync(join(ROOT, "public", "_headers"), "utf8")).toBe(headersFile(readSite()));
  });
});

describe("the build's media", () => {
  function site(files: Record<string, number>) {
    const content = join(tmp, `content-${Object.keys(files).length}-${Math.random().toString(36).slice(2)}`);
    cpSync(join(ROOT, "content"), content, { recursive: true });
    for (const [rel, size] of Object.entries(files)) {
      mkdirSync(join(content, "media", rel, ".."), { recursive: true });
      writeFileSync(join(content, "media", rel), `bytes of ${rel}`);
      if (size) truncateSync(join(content, "media", rel), size); // sparse: no real disk used
    }
    return content;
  }

  it("puts what fits into public/media/, a file over 25 MiB into the R2 list", async () => {
    const content = site({ "2008/03/photo.jpg": 0, "2008/03/film.mp4": 26 * 1024 * 1024, "2009/01/doc.pdf": 0 });
    const pub = join(tmp, "public-media");
    const build = join(tmp, "build-media");
    const built = await buildSite({ content, public: pub, build, scripts: false });
    expect(built.media.assets).toBe(2);
    expect(readFileSync(join(pub, "media", "2008/03/photo.jpg"), "utf8")).toBe("bytes of 2008/03/photo.jpg");
    expect(existsSync(join(pub, "media", "2008/03/film.mp4"))).toBe(false);
    const r2 = JSON.parse(readFileSync(join(build, "media-r2.json"), "utf8")) as R2Medium[];
    expect(r2.map((m) => [m.key, m.type, m.size])).toEqual([["media/2008/03/film.mp4", "video/mp4", 26 * 1024 * 1024]]);
    // A medium removed from content/ is gone from public/ at the next build.
    rmSync(join(content, "media", "2008/03/photo.jpg"));
    await buildSite({ content, public: pub, build, scripts: false });
    expect(existsSync(join(pub, "media", "2008/03/photo.jpg"))).toBe(false);
  });

  it("past the count of static files, the rest go to R2, in a stable order", () => {
    const files: Record<string, number> = {};
    for (let i = 0; i < 150; i++) files[`2010/${String(i % 12).padStart(2, "0")}/img-${i}.jpg`] = 0;
    const content = site(files);
    const pub = join(tmp, "public-count");
    mkdirSync(pub, { recursive: true });
    writeFileSync(join(pub, "index.html"), "home");
    const build = join(tmp, "build-count");
    mkdirSync(build, { recursive: true });
    const placed = placeMedia(content, pub, build, ROOT, { maxFiles: 101, maxBytes: 1024 });
    expect(placed.assets).toBe(100);
    expect(placed.r2).toHaveLength(50);
    const again = placeMedia(content, pub, build, ROOT, { maxFiles: 101, maxBytes: 1024 });
    expect(again.r2.map((m) => m.key)).toEqual(placed.r2.map((m) => m.key));
  });

  it("uploads only what the bucket does not have with the same bytes, and resumes", () => {
    const root = join(tmp, "upload-root");
    mkdirSync(join(root, "build"), { recursive: true });
    const list: R2Medium[] = [];
    for (let i = 0; i < 120; i++) {
      writeFileSync(join(root, `f${i}.bin`), `content ${i % 100}`); // duplicates of bytes, different keys
      list.push({ key: `media/f${i}.bin`, file: `f${i}.bin`, size: 10, type: "application/octet-stream" });
    }
    writeFileSync(join(root, "build", "media-r2.json"), JSON.stringify(list));
    let bucket: Record<string, string> = {};
    const put: string[] = [];
    const io = {
      readManifest: () => ({ ...bucket }),
      put: (m: R2Medium) => put.push(m.key),
      writeManifest: (file: string) => {
        bucket = JSON.parse(readFileSync(file, "utf8"));
      },
    };
    expect(uploadMedia(root, io)).toEqual({ sent: 120, total: 120 });
    expect(new Set(put).size).toBe(120);
    expect(uploadMedia(root, io)).toEqual({ sent: 0, total: 120 });
    writeFileSync(join(root, "f7.bin"), "changed");
    put.length = 0;
    expect(uploadMedia(root, io)).toEqual({ sent: 1, total: 120 });
    expect(put).toEqual(["media/f7.bin"]);
    expect(mediaToUpload(list, bucket, root)).toEqual([]);
  });
});
