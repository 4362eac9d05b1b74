// An imported post's media under the CSP the server really sends: the post page comes from
// wrangler dev with its headers; the body of an imported post (made by the importer from a
// WordPress snippet: an image with srcset, a cover block with a background image, a frame) is put
// into it, and /media/* answers an image. Every brought image loads, the cover shows its image and
// text, no request leaves the site, and the CSP blocks nothing — except, as a control, the one
// image left on the old host.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { MediaImport } from "../../scripts/import/media.ts";
import { BASE, PAGE, useBrowser } from "./helpers.ts";

const browser = useBrowser();
// An image large enough to keep a natural width at any srcset density (a 1-pixel one rounds to 0).
const IMAGE = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800"><rect width="1200" height="800" fill="#38a"/></svg>');
const OLD = "https://carnet.example.net/wp-content/uploads";
const tmp = mkdtempSync(join(tmpdir(), "billet-media-browser-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function importedBody(): Promise<string> {
  const uploads = join(tmp, "uploads");
  for (const rel of ["2008/03/photo.jpg", "2008/03/photo-300x200.jpg", "2010/08/cover.jpg"]) {
    mkdirSync(join(uploads, rel, ".."), { recursive: true });
    writeFileSync(join(uploads, rel), IMAGE);
  }
  const html = `<p><a href="${OLD}/2008/03/photo.jpg"><img id="photo" src="${OLD}/2008/03/photo-300x200.jpg" srcset="${OLD}/2008/03/photo-300x200.jpg 300w, ${OLD}/2008/03/photo.jpg 1024w" alt="Photo" width="300" height="200"></a></p>
<div id="cover" class="wp-block-cover has-background-dim" style="background-image:url(${OLD}/2010/08/cover.jpg)"><div class="wp-block-cover__inner-container"><p style="color:#fff">Sur la plage</p></div></div>
<iframe src="https://www.youtube.com/embed/abc" title="Une vidéo"></iframe>
<p><img id="left" src="${OLD}/2001/01/left-behind.jpg" alt="Restée"></p>`;
  const media = new MediaImport({ folder: uploads, oldHosts: ["carnet.example.net"], contentDir: join(tmp, "content"), dryRun: false, embedHosts: [] });
  await media.bring([html]);
  return media.rewrite(html);
}

describe("an imported post's media with the CSP in force", () => {
  test("every brought image shows, the cover too, nothing is blocked and nothing leaves the site", async () => {
    const body = await importedBody();
    const context = await browser.context();
    const page = await context.newPage();
    const requests: string[] = [];
    const refused: string[] = [];
    // Requests answered (one the CSP refuses is started, then fails without leaving the browser).
    page.on("requestfinished", (r) => requests.push(r.url()));
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
    });
    await page.route(PAGE, async (route) => {
      const res = await route.fetch();
      const html = (await res.text()).replace("</h1>", `</h1><section id="imported">${body}</section>`);
      await route.fulfill({ response: res, body: html });
    });
    await page.route(`${BASE}/media/**`, (route) => route.fulfill({ status: 200, contentType: "image/svg+xml", body: IMAGE }));
    const res = await page.goto(PAGE);
    expect(res?.headers()["content-security-policy"]).toContain("img-src 'self' data:");
    await page.waitForLoadState("load");
    const images = await page.$$eval("#imported img", (imgs) =>
      imgs.map((i) => ({ id: i.id, src: i.getAttribute("src"), loaded: (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0 })),
    );
    expect(images).toEqual([
      { id: "photo", src: "/media/2008/03/photo-300x200.jpg", loaded: true },
      { id: "", src: "/media/2010/08/cover.jpg", loaded: true },
      { id: "left", src: `${OLD}/2001/01/left-behind.jpg`, loaded: false },
    ]);
    expect(await page.locator("#cover").textContent()).toContain("Sur la plage");
    expect(await page.locator("#cover p").isVisible()).toBe(true);
    expect(await page.locator("#cover img").count()).toBe(1);
    expect(await page.locator("#imported iframe").count()).toBe(0);
    expect(await page.locator("#imported a.embed").getAttribute("href")).toBe("https://www.youtube.com/embed/abc");
    // The one image left on the old host is what the CSP refused; no inline style was there to refuse.
    expect(refused).toHaveLength(1);
    expect(refused[0]).toContain("left-behind.jpg");
    expect(requests.filter((u) => new URL(u).origin !== BASE && !u.startsWith("data:"))).toEqual([]);
  });
});
