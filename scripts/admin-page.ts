// The moderation page: /admin/ (public/admin/index.html) and its script, public/admin.js, bundled
// from widget/admin/admin.ts. The page holds no data: the script fetches everything with the token.
import { rmSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundleBrowserScript } from "./bundle.ts";
import { escapeHtml } from "../workers/render/html.ts";
import { adminStrings } from "../widget/admin/strings.ts";
import { DESK_VIEWS, STATUSES, bulkActionsFor } from "../widget/admin/logic.ts";
import type { Action, BlockKind } from "../widget/admin/strings.ts";
import { ROOT, type Post, type Site } from "./content.ts";

export function adminPage(site: Site, posts: Post[]): string {
  const s = adminStrings(site.lang);
  const e = escapeHtml;
  const tabs = STATUSES.map((st) => `<li><a href="#${st}" data-tab="${st}">${e(s.tabs[st])}</a></li>`).join("");
  const tools = DESK_VIEWS.map((v) => `<li><a href="#${v}" data-view="${v}">${e(s.views[v])}</a></li>`).join("");
  const kinds = (["email", "network", "host"] as BlockKind[]).map((k) => `<option value="${k}">${e(s.kinds[k])}</option>`).join("");
  const durations = ["7", "30", ""].map((d) => `<option value="${d}"${d === "" ? " selected" : ""}>${e(s.durations[d])}</option>`).join("");
  const keys = s.shortcuts.map(([key, what]) => `<div><dt><kbd>${e(key)}</kbd></dt><dd>${e(what)}</dd></div>`).join("");
  const options = [...posts]
    .sort((a, b) => b.date.localeCompare(a.date))
    .map((p) => `<option value="${e(p.slug)}">${e(p.title)}</option>`)
    .join("");
  // Every bulk button is in the page; the script shows those that fit the tab.
  const bulkActions = [...new Set<Action>(STATUSES.flatMap((st) => bulkActionsFor(st)))];
  const bulk = bulkActions
    .map((a) => `<button type="button" class="act act-${a}" data-bulk="${a}" aria-disabled="true" hidden>${e(s.actions[a])}</button>`)
    .join("");
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
<div id="app" hidden data-view="list">
<div class="controls">
<nav aria-label="${e(s.statesNav)}"><ul class="tabs">${tabs}</ul></nav>
<nav aria-label="${e(s.toolsNav)}"><ul class="tabs tabs--tools">${tools}</ul></nav>
<p class="filter"${posts.length < 2 ? " hidden" : ""}><label for="post-filter">${e(s.postFilter)}</label>
<select id="post-filter"><option value="">${e(s.allPosts)}</option>${options}</select></p>
<p class="filter" hidden><label for="site-filter">${e(s.siteFilter)}</label>
<select id="site-filter"><option value="">${e(s.allSites)}</option><option value="blog">${e(s.theBlog)}</option></select></p>
</div>
<section id="list-view" class="view" aria-labelledby="list-title">
<form id="search" class="search" role="search" novalidate>
<label for="search-input">${e(s.searchLabel)}</label>
<span class="search-row"><input id="search-input" name="q" type="search" maxlength="200" autocomplete="off" spellcheck="false" aria-describedby="search-hint"> <button type="submit" class="quiet">${e(s.searchButton)}</button></span>
<span id="search-hint" class="hint">${e(s.searchHint)}</span>
</form>
<div class="list-head">
<h2 id="list-title" tabindex="-1"><span id="list-name">${e(s.tabs.pending)}</span> <span id="list-count" class="count"></span></h2>
<button type="button" id="shortcuts-open" class="quiet small" aria-haspopup="dialog" aria-keyshortcuts="?">${e(s.shortcutsButton)}</button>
</div>
<div class="bulk" id="bulk">
<p class="select-all"><input type="checkbox" id="select-all"> <label for="select-all">${e(s.selectAll)}</label> <span id="selected-count" class="selected"></span></p>
<div class="bulk-actions" role="group" aria-label="${e(s.bulkGroup)}">${bulk}</div>
</div>
<ol id="list" class="items"></ol>
<p id="empty" class="empty" hidden></p>
<p class="more"><button type="button" id="more" class="quiet" hidden>${e(s.loadMore)}</button></p>
</section>
<section id="blocks-view" class="view" aria-labelledby="blocks-title" hidden>
<h2 id="blocks-title" tabindex="-1">${e(s.blocksTitle)} <span id="blocks-count" class="count"></span></h2>
<p class="intro">${e(s.blocksIntro)}</p>
<ul id="blocks" class="rows"></ul>
<p id="blocks-empty" class="empty" hidden>${e(s.blocksEmpty)}</p>
<form id="add-block" class="panel" novalidate aria-labelledby="add-block-title">
<h3 id="add-block-title">${e(s.addBlockTitle)}</h3>
<p class="field"><label for="block-kind">${e(s.blockBy)}</label> <select id="block-kind">${kinds}</select></p>
<p class="field"><label for="block-value">${e(s.blockValue)}</label> <input id="block-value" type="email" maxlength="300" autocomplete="off" spellcheck="false" autocapitalize="off" aria-describedby="block-value-hint block-value-error">
<span id="block-value-hint" class="hint"></span><span id="block-value-error" class="field-error" role="alert"></span></p>
<p class="field"><label for="block-days">${e(s.blockFor)}</label> <select id="block-days">${durations}</select></p>
<p class="field"><label for="block-reason">${e(s.blockReason)}</label> <input id="block-reason" type="text" maxlength="200" autocomplete="off"></p>
<p><button type="submit" id="block-submit">${e(s.blockSubmit)}</button></p>
</form>
</section>
<section id="log-view" class="view" aria-labelledby="log-title" hidden>
<h2 id="log-title" tabindex="-1">${e(s.logTitle)}</h2>
<p class="intro">${e(s.logIntro)}</p>
<ol id="log" class="rows"></ol>
<p id="log-empty" class="empty" hidden>${e(s.logEmpty)}</p>
<p class="more"><button type="button" id="log-more" class="quiet" hidden>${e(s.loadMore)}</button></p>
</section>
<section id="privacy-view" class="view" aria-labelledby="privacy-title" hidden>
<h2 id="privacy-title" tabindex="-1">${e(s.privacyTitle)}</h2>
<p class="intro">${e(s.privacyIntro)}</p>
<form id="privacy" class="panel" novalidate aria-labelledby="privacy-title">
<p class="field"><label for="privacy-email">${e(s.privacyEmail)}</label> <input id="privacy-email" type="email" maxlength="254" autocomplete="off" spellcheck="false" autocapitalize="off" aria-describedby="privacy-error">
<span id="privacy-error" class="field-error" role="alert"></span></p>
<p class="buttons"><button type="submit" id="export">${e(s.exportButton)}</button> <button type="button" id="erase" class="danger">${e(s.eraseButton)}</button></p>
</form>
</section>
</div>
<dialog id="shortcuts" class="help" aria-labelledby="shortcuts-title">
<h2 id="shortcuts-title">${e(s.shortcutsTitle)}</h2>
<p>${e(s.shortcutsIntro)}</p>
<dl class="keys">${keys}</dl>
<p><button type="button" id="shortcuts-close">${e(s.close)}</button></p>
</dialog>
<div class="messages">
<div class="message-row"><p id="status" class="message" role="status" aria-live="polite"></p><button type="button" id="undo" class="quiet small" aria-keyshortcuts="u" hidden>${e(s.undo)}</button></div>
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
