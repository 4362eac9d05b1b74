// The moderation page: /admin/ (public/admin/index.html) and its script, public/admin.js, bundled
// from widget/admin/admin.ts. The page holds no data: the script fetches everything with the token.
import { rmSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundleBrowserScript } from "./bundle.ts";
import { escapeHtml } from "../workers/render/html.ts";
import { adminStrings } from "../widget/admin/strings.ts";
import { STATUSES, bulkActionsFor } from "../widget/admin/logic.ts";
import type { Action } from "../widget/admin/strings.ts";
import { ROOT, type Post, type Site } from "./content.ts";

export function adminPage(site: Site, posts: Post[]): string {
  const s = adminStrings(site.lang);
  const e = escapeHtml;
  const tabs = STATUSES.map((st) => `<li><a href="#${st}" data-tab="${st}">${e(s.tabs[st])}</a></li>`).join("");
  const options = [...posts]
    .sort((a, b) => b.date.localeCompare(a.date))
    .map((p) => `<option value="${e(p.slug)}">${e(p.title)}</option>`)
    .join("");
  // Every bulk button is in the page; the script shows those that fit the tab.
  const bulkActions = [...new Set<Action>(STATUSES.flatMap((st) => bulkActionsFor(st)))];
  const bulk = bulkActions.map((a) => `<button type="button" class="act act-${a}" data-bulk="${a}" aria-disabled="true" hidden>${e(s.actions[a])}</button>`).join("");
  return `<!doctype html>
<html lang="${e(site.lang)}" data-timezone="${e(site.timezone)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<title>${e(s.pageTitle)} · ${e(site.title)}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/admin.css">
<script src="/admin.js" defer></script>
</head>
<body>
<a class="skip-link" href="#main">${e(s.skip)}</a>
<header class="bar">
<p class="site"><a href="/">${e(site.title)}</a> <span aria-hidden="true">·</span> ${e(s.pageTitle)}</p>
<button type="button" id="logout" class="quiet" hidden>${e(s.logout)}</button>
</header>
<main id="main">
<h1>${e(s.heading)}</h1>
<noscript><p class="notice">${e(s.noscript)}</p></noscript>
<form id="login" class="login" novalidate hidden aria-labelledby="login-title">
<h2 id="login-title">${e(s.loginTitle)}</h2>
<p>${e(s.loginIntro)}</p>
<input type="text" name="username" value="admin" autocomplete="username" hidden>
<label for="token">${e(s.tokenLabel)}</label>
<input id="token" name="token" type="password" autocomplete="current-password" spellcheck="false" autocapitalize="off" required aria-describedby="token-error">
<p id="token-error" class="field-error" role="alert"></p>
<button type="submit" id="sign-in">${e(s.signIn)}</button>
</form>
<div id="app" hidden>
<div class="controls">
<nav aria-label="${e(s.statesNav)}"><ul class="tabs">${tabs}</ul></nav>
<p class="filter"${posts.length < 2 ? " hidden" : ""}><label for="post-filter">${e(s.postFilter)}</label>
<select id="post-filter"><option value="">${e(s.allPosts)}</option>${options}</select></p>
</div>
<h2 id="list-title" tabindex="-1"><span id="list-name">${e(s.tabs.pending)}</span> <span id="list-count" class="count"></span></h2>
<div class="bulk" id="bulk">
<p class="select-all"><input type="checkbox" id="select-all"> <label for="select-all">${e(s.selectAll)}</label> <span id="selected-count" class="selected"></span></p>
<div class="bulk-actions" role="group" aria-label="${e(s.bulkGroup)}">${bulk}</div>
</div>
<ol id="list" class="items"></ol>
<p id="empty" class="empty" hidden></p>
<p class="more"><button type="button" id="more" class="quiet" hidden>${e(s.loadMore)}</button></p>
</div>
<div class="messages">
<p id="status" class="message" role="status" aria-live="polite"></p>
<p id="alert" class="message message--error" role="alert"></p>
</div>
</main>
</body>
</html>
`;
}

/** Writes the page and bundles its script (called by scripts/build.ts). */
export async function buildAdmin(site: Site, posts: Post[], publicDir = join(ROOT, "public")): Promise<void> {
  rmSync(join(publicDir, "admin"), { recursive: true, force: true });
  mkdirSync(join(publicDir, "admin"), { recursive: true });
  writeFileSync(join(publicDir, "admin", "index.html"), adminPage(site, posts));
  await bundleBrowserScript(join(ROOT, "widget", "admin", "admin.ts"), join(publicDir, "admin.js"));
}
