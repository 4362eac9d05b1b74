// The old blog's media come along: a copy of wp-content/uploads (--media) brought into
// content/media/ and the posts' links rewritten to /media/…; fetched from the old host
// (--fetch-media, a local server here); what is not brought listed; --media-host allowed by the
// CSP; cover blocks keep their image without inline styles; frames become links unless allowed.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import matter from "gray-matter";
import { afterAll, describe, expect, it, vi } from "vitest";
import { ROOT } from "../../scripts/content.ts";
import { parseArgs, runImport } from "../../scripts/import.ts";
import { MediaImport, safeRelative } from "../../scripts/import/media.ts";
import { within } from "../time-limit.ts";

const tmp = mkdtempSync(join(tmpdir(), "billet-media-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

function contentDir(): string {
  const dir = join(tmp, `content-${n++}`);
  cpSync(join(ROOT, "content"), dir, { recursive: true });
  return dir;
}

/** A copy of wp-content/uploads: the full-size photos, one resized copy, a PDF. */
function uploads(): string {
  const dir = join(tmp, `uploads-${n++}`);
  const put = (rel: string, body: string) => {
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    writeFileSync(join(dir, rel), body);
  };
  put("2008/03/photo.jpg", "full photo");
  put("2008/03/photo-300x200.jpg", "small photo");
  put("2008/03/photo-1024x683.jpg", "large photo");
  put("2008/03/plan.pdf", "pdf");
  put("2009/07/sea.jpg", "sea");
  put("2010/08/cover.jpg", "cover image");
  put("2010/08/old-cover.jpg", "old cover image");
  put("2011/01/l'été à paris.jpg", "accents");
  return dir;
}

const HOST = "https://www.carnet.example.net";
const item = (id: number, slug: string, content: string) => `
  <item><title>${slug}</title><link>${HOST}/${slug}/</link><wp:post_id>${id}</wp:post_id>
    <wp:post_date><![CDATA[2010-08-01 10:00:00]]></wp:post_date><wp:post_name><![CDATA[${slug}]]></wp:post_name>
    <wp:status><![CDATA[publish]]></wp:status><wp:post_type><![CDATA[post]]></wp:post_type>
    <content:encoded><![CDATA[${content}]]></content:encoded></item>`;

function wxr(host = HOST): string {
  const u = `${host}/wp-content/uploads`;
  return `<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/">
<channel><title>Carnet</title><link>${host}</link><wp:base_site_url>${host}</wp:base_site_url><wp:base_blog_url>${host}</wp:base_blog_url>
${item(
  1,
  "classic",
  `Une photo :
<a href="${u}/2008/03/photo.jpg"><img src="${u}/2008/03/photo-300x200.jpg" srcset="${u}/2008/03/photo-300x200.jpg 300w, ${u}/2008/03/photo-1024x683.jpg 1024w, ${u}/2008/03/photo-768x512.jpg 768w" alt="Photo" width="300" height="200" /></a>

Le <a href="/wp-content/uploads/2008/03/plan.pdf">plan</a>, une image <img src="${u}/2008/03/gone.jpg" alt="Gone"> et une d'ailleurs <img src="https://photos.example.org/x.jpg" alt="X">.

<img src="${u}/2011/01/l%27%C3%A9t%C3%A9%20%C3%A0%20paris.jpg" alt="Été">

[gallery ids="30"]`,
)}
${item(
  2,
  "blocks",
  `<!-- wp:cover {"url":"${u}/2010/08/cover.jpg","id":12,"dimRatio":50} -->
<div class="wp-block-cover"><span aria-hidden="true" class="wp-block-cover__background has-background-dim"></span><img class="wp-block-cover__image-background wp-image-12" alt="" src="${u}/2010/08/cover.jpg" style="object-position:50% 50%" data-object-fit="cover"/><div class="wp-block-cover__inner-container"><p class="has-text-align-center has-large-font-size" style="color:#fff">Sur la plage</p></div></div>
<!-- /wp:cover -->
<!-- wp:cover {"url":"${u}/2010/08/old-cover.jpg"} -->
<div class="wp-block-cover has-background-dim" style="background-image:url(${u}/2010/08/old-cover.jpg)"><div class="wp-block-cover__inner-container"><p class="has-text-align-center">Ancienne couverture</p></div></div>
<!-- /wp:cover -->
<!-- wp:embed {"url":"https://www.youtube.com/watch?v=abc","type":"video","providerNameSlug":"youtube"} -->
<figure class="wp-block-embed is-type-video"><div class="wp-block-embed__wrapper">
https://www.youtube.com/watch?v=abc
</div></figure>
<!-- /wp:embed -->
<!-- wp:html -->
<iframe src="https://www.youtube.com/embed/abc" title="Une vidéo" width="560" height="315" style="border:0"></iframe>
<iframe src="https://player.vimeo.com/video/42" width="640"></iframe>
<!-- /wp:html -->`,
)}
  <item><title>sea</title><wp:post_id>30</wp:post_id><wp:post_parent>1</wp:post_parent><wp:status><![CDATA[inherit]]></wp:status><wp:post_type><![CDATA[attachment]]></wp:post_type><wp:attachment_url><![CDATA[${u}/2009/07/sea.jpg]]></wp:attachment_url></item>
  <item><title>unused</title><wp:post_id>31</wp:post_id><wp:post_parent>0</wp:post_parent><wp:status><![CDATA[inherit]]></wp:status><wp:post_type><![CDATA[attachment]]></wp:post_type><wp:attachment_url><![CDATA[${u}/2007/01/unused.png]]></wp:attachment_url></item>
</channel></rss>`;
}

function exportFile(text = wxr()): string {
  const file = join(tmp, `export-${n++}.xml`);
  writeFileSync(file, text);
  return file;
}

// An import that writes posts indexes them for search in a local D1 (wrangler, a few seconds, more
// on a busy machine): a database of the test's own, and time enough (about 10 s a test on two cores).
vi.setConfig({ testTimeout: within(10_000) });

async function run(args: string[], content = contentDir(), file = exportFile()) {
  const lines: string[] = [];
  const d1 = join(tmp, "d1");
  const result = await runImport(parseArgs([file, "--sql", join(tmp, `out-${n++}.sql`), "--content", content, "--persist-to", d1, ...args]), (l) =>
    lines.push(l),
  );
  const body = (slug: string) => matter(readFileSync(join(content, "posts", `${slug}.md`), "utf8")).content;
  return { result, log: lines.join("\n"), content, body };
}

const listed = (file: string | undefined) => (file ? readFileSync(file, "utf8").trim().split("\n") : []);

describe("npm run import -- --media <uploads>", () => {
  it("brings in what the export names, rewrites the links to /media/… and lists the rest", async () => {
    const folder = uploads();
    const { result, log, content, body } = await run(["--media", folder]);
    const media = readdirSync(join(content, "media"), { recursive: true, encoding: "utf8" }).filter((f) => f.includes("."));
    expect(media.sort()).toEqual(
      [
        "2008/03/photo-1024x683.jpg",
        "2008/03/photo-300x200.jpg",
        "2008/03/photo.jpg",
        "2008/03/plan.pdf",
        "2009/07/sea.jpg",
        "2010/08/cover.jpg",
        "2010/08/old-cover.jpg",
        "2011/01/l'été à paris.jpg",
      ].sort(),
    );
    expect(readFileSync(join(content, "media", "2008/03/photo.jpg"), "utf8")).toBe("full photo");
    const classic = body("classic");
    expect(classic).toContain('<a href="/media/2008/03/photo.jpg"><img src="/media/2008/03/photo-300x200.jpg"');
    // A resized copy missing from the folder is shown with its full-size file.
    expect(classic).toContain('srcset="/media/2008/03/photo-300x200.jpg 300w, /media/2008/03/photo-1024x683.jpg 1024w, /media/2008/03/photo.jpg 768w"');
    expect(classic).toContain('<a href="/media/2008/03/plan.pdf">plan</a>');
    expect(classic).toContain(`src="/media/2011/01/l'%C3%A9t%C3%A9%20%C3%A0%20paris.jpg"`);
    expect(classic).toContain('<img src="/media/2009/07/sea.jpg"'); // the gallery's attachment
    // Not found: left where it was, and listed; another site's image is not the old site's media.
    expect(classic).toContain(`src="${HOST}/wp-content/uploads/2008/03/gone.jpg"`);
    expect(classic).toContain('src="https://photos.example.org/x.jpg"');
    expect(listed(result.mediaFile)).toEqual([`${HOST}/wp-content/uploads/2007/01/unused.png`, `${HOST}/wp-content/uploads/2008/03/gone.jpg`]);
    expect(log).toContain("Media: 9 files brought into");
    expect(log).toContain("Media not brought in: 2 files (2 not in the --media folder)");

    // Again: the same files are not copied again, the posts do not change.
    const again = await run(["--media", folder], content);
    expect(again.result.media!.written).toBe(0);
    expect(again.result.items!.unchanged).toHaveLength(2);
  });

  it("keeps every cover block's image and text, without inline styles; frames become links", async () => {
    const { body, log } = await run(["--media", uploads()]);
    const blocks = body("blocks");
    expect(blocks).not.toMatch(/\sstyle\s*=/);
    expect(blocks).toContain('<img class="wp-block-cover__image-background wp-image-12" alt="" src="/media/2010/08/cover.jpg" data-object-fit="cover"/>');
    expect(blocks).toContain("Sur la plage");
    // The old cover's background image is now an image inside it.
    expect(blocks).toContain(
      '<div class="wp-block-cover has-background-dim"><img class="wp-block-cover__image-background" src="/media/2010/08/old-cover.jpg" alt=""><div class="wp-block-cover__inner-container"><p class="has-text-align-center">Ancienne couverture</p>',
    );
    expect(blocks).not.toContain("<iframe");
    expect(blocks).toContain('<a class="embed" href="https://www.youtube.com/embed/abc">Une vidéo</a>');
    expect(blocks).toContain('<a class="embed" href="https://player.vimeo.com/video/42">https://player.vimeo.com/video/42</a>');
    expect(blocks).toContain('<a class="embed" href="https://www.youtube.com/watch?v=abc">https://www.youtube.com/watch?v=abc</a>');
    expect(log).toContain("Embedded frames made links (hosts not in embed_hosts of content/site.json): 2");
  });

  it("keeps frames of the hosts in site.json's embed_hosts", async () => {
    const content = contentDir();
    const site = JSON.parse(readFileSync(join(content, "site.json"), "utf8"));
    writeFileSync(join(content, "site.json"), JSON.stringify({ ...site, embed_hosts: ["player.vimeo.com"] }));
    const { body } = await run([], content);
    const blocks = body("blocks");
    expect(blocks).toContain('<iframe src="https://player.vimeo.com/video/42" width="640"></iframe>');
    expect(blocks).not.toContain('<iframe src="https://www.youtube.com');
  });

  it("a dry run writes nothing: no media, no list, no site.json change", async () => {
    const content = contentDir();
    const siteBefore = readFileSync(join(content, "site.json"), "utf8");
    const { result, log } = await run(["--media", uploads(), "--dry-run", "--fetch-media", "--media-host", "www.carnet.example.net"], content);
    expect(existsSync(join(content, "media"))).toBe(false);
    expect(result.mediaFile).toBeUndefined();
    expect(readFileSync(join(content, "site.json"), "utf8")).toBe(siteBefore);
    expect(log).toContain("Media: 9 files would be brought into");
    expect(log).toContain("a dry run fetches nothing");
  });

  it("--media-host: what is not brought is served from that host, which site.json's media_hosts then allows", async () => {
    const { content, body, log } = await run(["--media-host", "media.carnet.example.net"]);
    expect(body("classic")).toContain('src="https://media.carnet.example.net/wp-content/uploads/2008/03/photo-300x200.jpg"');
    expect(body("classic")).toContain('href="https://media.carnet.example.net/wp-content/uploads/2008/03/plan.pdf"');
    expect(JSON.parse(readFileSync(join(content, "site.json"), "utf8")).media_hosts).toEqual(["media.carnet.example.net"]);
    expect(log).toContain("left on media.carnet.example.net (--media-host, added to media_hosts in content/site.json)");
    expect(() => parseArgs(["x.xml", "--media-host", "not a host"])).toThrow(/--media-host takes a host name/);
  });

  it("refuses a --media folder that is not there, before writing anything", async () => {
    const content = contentDir();
    await expect(run(["--media", join(tmp, "nowhere")], content)).rejects.toThrow(/--media .*nowhere: no such folder/);
    expect(existsSync(join(content, "posts", "classic.md"))).toBe(false);
  });
});

describe("--fetch-media", () => {
  it("fetches from the old host what the folder lacks; a failed fetch is listed", async () => {
    const served: string[] = [];
    const server = createServer((req, res) => {
      served.push(req.url ?? "");
      if (req.url === "/wp-content/uploads/2008/03/gone.jpg") {
        res.writeHead(200, { "content-type": "image/jpeg" });
        res.end("fetched");
      } else {
        // WordPress's soft 404: a page, not the file.
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html>not found</html>");
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { result, content, body } = await run(["--media", uploads(), "--fetch-media"], contentDir(), exportFile(wxr(host)));
      expect(readFileSync(join(content, "media", "2008/03/gone.jpg"), "utf8")).toBe("fetched");
      expect(body("classic")).toContain('<img src="/media/2008/03/gone.jpg"');
      expect(listed(result.mediaFile)).toEqual([`${host}/wp-content/uploads/2007/01/unused.png`]);
      expect(result.media!.missing.get("2007/01/unused.png")).toBe("fetch failed");
      // Only what the folder lacked was asked for.
      expect(served.sort()).toEqual(["/wp-content/uploads/2007/01/unused.png", "/wp-content/uploads/2008/03/gone.jpg"]);
    } finally {
      server.close();
    }
  });
});

describe("addresses", () => {
  const media = new MediaImport({ oldHosts: ["carnet.example.net"], contentDir: tmp, dryRun: true, embedHosts: [] });

  it("finds the old site's uploads in every form, and nothing else", () => {
    const text = [
      `<img src="https://carnet.example.net/wp-content/uploads/a.jpg">`,
      `<img src='//www.carnet.example.net/blog/wp-content/uploads/2008/b.jpg?ver=2'>`,
      `<a href="/wp-content/uploads/c.pdf">`,
      `style="background-image:url(&quot;http://carnet.example.net/wp-content/uploads/d.jpg&quot;)"`,
      `https://i0.wp.com/carnet.example.net/wp-content/uploads/e.jpg?w=300 300w`,
      `<img src="https://other.example.org/wp-content/uploads/x.jpg">`,
      `<img src="https://carnet.example.net.evil.org/wp-content/uploads/y.jpg">`,
      `<img src="https://carnet.example.net/wp-content/uploads/../../etc/passwd">`,
    ].join("\n");
    expect(media.addresses(text).map(([, rel]) => rel)).toEqual(["a.jpg", "2008/b.jpg", "c.pdf", "d.jpg", "e.jpg"]);
  });

  it("never gives a path that leaves the media folder", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("a", "..", ".", "", "%2e%2e", "b%2F..", "c\\d", "%00", "é"), { minLength: 1, maxLength: 6 }), (parts) => {
        const rel = safeRelative(parts.join("/"));
        if (rel === null) return;
        expect(rel.split("/")).not.toContain("..");
        expect(rel.split("/")).not.toContain("");
        expect(rel).not.toMatch(/[\\\0]/);
      }),
      { numRuns: 300 },
    );
  });
});
