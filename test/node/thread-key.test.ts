// The one spelling of another site's page address (workers/store/thread-key.ts): normalising is
// idempotent, equivalent spellings meet, and different pages stay apart.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normaliseUrl, originSpeaksFor, plainTitle, siteOfUrl, threadKey } from "../../workers/store/thread-key.ts";

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const host = fc.tuple(label, fc.constantFrom("example", "fr", "com", "org")).map(([a, b]) => `${a}.${b}`);
const segment = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/), fc.constantFrom("é", "a b", "%C3%A9", "index.html", "..", "."));
const path = fc.array(segment, { maxLength: 5 }).map((s) => `/${s.join("/")}`);
const queryValue = fc.stringMatching(/^[a-z0-9]{1,6}$/);

/** A page: host, path, and the query parameters that name it (KEPT_QUERY). */
const page = fc.record({ host, path, p: fc.option(queryValue, { nil: undefined }), lang: fc.option(fc.constantFrom("fr", "en"), { nil: undefined }) });

/** Ways of writing the same page: scheme, www., case, port, slashes, index.html, other query, fragment. */
const spelling = fc.record({
  http: fc.boolean(),
  www: fc.boolean(),
  upper: fc.boolean(),
  port: fc.boolean(),
  slash: fc.boolean(),
  index: fc.boolean(),
  tracking: fc.option(fc.constantFrom("utm_source=x", "fbclid=1", "ref=home"), { nil: undefined }),
  fragment: fc.option(fc.constantFrom("#comments", "#", "#a-b"), { nil: undefined }),
  swap: fc.boolean(),
});

function write(pg: { host: string; path: string; p?: string; lang?: string }, s: typeof spelling extends fc.Arbitrary<infer T> ? T : never): string {
  const scheme = s.http ? "http" : "https";
  const h = `${s.www ? "www." : ""}${s.upper ? pg.host.toUpperCase() : pg.host}${s.port ? (s.http ? ":80" : ":443") : ""}`;
  let p = pg.path;
  if (s.index) p = `${p.replace(/\/$/, "")}/index.html`;
  else if (s.slash) p = `${p}/`;
  const params = [pg.p ? `p=${pg.p}` : "", pg.lang ? `lang=${pg.lang}` : "", s.tracking ?? ""].filter(Boolean);
  if (s.swap) params.reverse();
  return `${scheme}://${h}${p}${params.length ? `?${params.join("&")}` : ""}${s.fragment ?? ""}`;
}

describe("normaliseUrl", () => {
  it("is idempotent", () => {
    fc.assert(
      fc.property(page, spelling, (pg, s) => {
        const once = normaliseUrl(write(pg, s));
        expect(once).not.toBeNull();
        expect(normaliseUrl(once!)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it("brings every spelling of a page to one address", () => {
    fc.assert(
      fc.property(page, spelling, spelling, (pg, a, b) => {
        expect(normaliseUrl(write(pg, a))).toBe(normaliseUrl(write(pg, b)));
      }),
      { numRuns: 500 },
    );
  });

  it("keeps different pages apart: another host, path or kept parameter", () => {
    fc.assert(
      fc.property(page, page, spelling, (a, b, s) => {
        const same =
          a.host === b.host && a.p === b.p && a.lang === b.lang && normaliseUrl(`https://x.example${a.path}`) === normaliseUrl(`https://x.example${b.path}`);
        expect(normaliseUrl(write(a, s)) === normaliseUrl(write(b, s))).toBe(same);
      }),
      { numRuns: 500 },
    );
  });

  it("says what it does on examples, and refuses what is not a web address", () => {
    expect(normaliseUrl("HTTP://WWW.Blog.Example:80/Notes/Un-Billet/index.html?utm_source=rss&p=12#comments")).toBe(
      "https://blog.example/Notes/Un-Billet?p=12",
    );
    expect(normaliseUrl("https://blog.example")).toBe("https://blog.example/");
    expect(normaliseUrl("https://blog.example//a///b/")).toBe("https://blog.example/a/b");
    for (const bad of ["", "/relative/", "javascript:alert(1)", "mailto:a@b.example", "ftp://blog.example/", "data:text/html,x"])
      expect(normaliseUrl(bad)).toBeNull();
  });
});

describe("sites and keys", () => {
  const sites = ["https://blog.example", "https://www.notes.example"];
  it("finds a page's site by host, www. or not, and an origin speaks only for its own site", () => {
    expect(siteOfUrl("https://blog.example/a", sites)).toBe("https://blog.example");
    expect(siteOfUrl("https://notes.example/a", sites)).toBe("https://www.notes.example");
    expect(siteOfUrl("https://evil.example/a", sites)).toBeNull();
    expect(siteOfUrl("https://blog.example.evil.example/a", sites)).toBeNull();
    expect(originSpeaksFor("https://www.blog.example", "https://blog.example")).toBe(true);
    expect(originSpeaksFor("https://blog.example.evil.example", "https://blog.example")).toBe(false);
    expect(originSpeaksFor("null", "https://blog.example")).toBe(false);
  });

  it("keys by address or explicit id, never like a post's slug", async () => {
    const a = await threadKey("https://blog.example/a", null);
    expect(a).toMatch(/^~[0-9a-f]{24}$/);
    expect(await threadKey("https://blog.example/b", null)).not.toBe(a);
    expect(await threadKey("https://blog.example/a", "42")).toBe(await threadKey("https://blog.example/b", "42"));
    expect(await threadKey("https://notes.example/a", "42")).not.toBe(await threadKey("https://blog.example/a", "42"));
  });

  it("keeps a title as one line of at most 200 characters", () => {
    expect(plainTitle(" Un\n\ttitre\u0000 ")).toBe("Un titre");
    expect([...plainTitle("é".repeat(500))]).toHaveLength(200);
    expect(plainTitle(42)).toBe("");
  });
});

describe("ports", () => {
  it("drops a scheme's default port and keeps any other (another site)", () => {
    expect(normaliseUrl("http://blog.example:80/a")).toBe("https://blog.example/a");
    expect(normaliseUrl("http://localhost:8828/a/")).toBe("https://localhost:8828/a");
    expect(siteOfUrl("https://localhost:8828/a", ["http://localhost:8828"])).toBe("http://localhost:8828");
    expect(siteOfUrl("https://localhost:9999/a", ["http://localhost:8828"])).toBeNull();
  });
});
