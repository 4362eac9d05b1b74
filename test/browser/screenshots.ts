// Refreshes the README's pictures: docs/screenshot.png and docs/screenshot-dark.png, the seed post
// with its six comments at a phone's width (412 CSS px), light and dark. It starts its own fresh
// local server (as the browser tests do), so no test comment shows.
//
//   npx node test/browser/screenshots.ts
//
// A full page is about 6,000 px tall; to keep each file under 400 KB it is reduced to 64 colours
// with pngquant (Debian: apt-get install pngquant), which text on a plain background survives.
import { spawnSync } from "node:child_process";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { launch } from "./chromium.ts";
import setup from "./server.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const MAX_BYTES = 400 * 1024;

const provided: Record<string, string> = {};
const teardown = await setup({ provide: (key: string, value: string) => (provided[key] = value) } as unknown as TestProject);
const browser = await launch();
try {
  mkdirSync(join(ROOT, "docs"), { recursive: true });
  for (const [colorScheme, file] of [
    ["light", "screenshot.png"],
    ["dark", "screenshot-dark.png"],
  ] as const) {
    const context = await browser.newContext({ viewport: { width: 412, height: 915 }, deviceScaleFactor: 1, colorScheme, locale: "fr-FR" });
    const page = await context.newPage();
    await page.goto(`${provided.baseUrl}/posts/reseaux-sociaux-trois-ans-apres/`);
    if ((await page.locator("ol.comment-list > li.comment").count()) !== 6) throw new Error("the seed page should show its six comments");
    let png = await page.screenshot({ fullPage: true, animations: "disabled", caret: "hide" });
    if (png.byteLength > MAX_BYTES) {
      const quant = spawnSync("pngquant", ["64", "--speed", "1", "--strip", "-"], { input: png, maxBuffer: 64 * 1024 * 1024 });
      if (quant.status !== 0)
        throw new Error(`${file} is ${png.byteLength} bytes; pngquant is needed to bring it under ${MAX_BYTES} (apt-get install pngquant)`);
      png = quant.stdout;
    }
    const out = join(ROOT, "docs", file);
    writeFileSync(out, png);
    console.log(`${out}: ${statSync(out).size} bytes`);
    await context.close();
  }
} finally {
  await browser.close();
  await teardown();
}
