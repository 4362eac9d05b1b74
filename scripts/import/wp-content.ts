// A WordPress post's body as the HTML WordPress showed: its common shortcodes ([caption],
// [gallery], [embed], [audio], [video], [code]) turned into HTML, then WordPress's automatic
// paragraphs (wpautop, from @wordpress/autop, WordPress's own port) applied — except to block-editor
// content, which WordPress does not run wpautop on either. The author's HTML is kept as written:
// billet posts may hold HTML, so nothing is lost to a conversion.
import { autop } from "@wordpress/autop";
import { decodeEntities } from "./html-to-markdown.ts";
import type { WpAttachment } from "./formats.ts";

const OPEN = "\uE010";
const CLOSE = "\uE011";

export interface BodyOptions {
  /** Media of the export by WordPress id (galleries list them). */
  attachments: Map<string, WpAttachment>;
  /** The post's WordPress id (a gallery without ids shows the post's own media). */
  postId: string;
  /** Children of each post (attachments by parent id), for galleries without ids. */
  attachmentsByParent?: Map<string, WpAttachment[]>;
}

export interface Body {
  html: string;
  /** Shortcodes left as text (not known here), counted by name. */
  unknownShortcodes: Record<string, number>;
}

const escapeAttr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const escapeText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Shortcode attributes: name="value", name='value', name=value, and bare values. */
export function shortcodeAttrs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*"([^"]*)"|([\w-]+)\s*=\s*'([^']*)'|([\w-]+)\s*=\s*([^\s'"\]]+)|"([^"]*)"|(\S+)/g;
  let position = 0;
  for (const m of text.matchAll(re)) {
    if (m[1]) out[m[1].toLowerCase()] = m[2];
    else if (m[3]) out[m[3].toLowerCase()] = m[4];
    else if (m[5]) out[m[5].toLowerCase()] = m[6];
    else out[String(position++)] = m[7] ?? m[8];
  }
  return out;
}

const CODE_NAMES = ["code", "sourcecode", "source"];
const KNOWN = new Set(["caption", "wp_caption", "gallery", "embed", "audio", "video", "playlist", ...CODE_NAMES]);

function codeBlock(attrs: Record<string, string>, inner: string): string {
  const lang = (attrs.language ?? attrs.lang ?? attrs["0"] ?? "").replace(/[^\w+#-]/g, "");
  const body = inner.replace(/^\r?\n/, "").replace(/\r?\n$/, "");
  // Already escaped by the editor (&lt;) or written raw (<): shown the same either way.
  const escaped = /<|>/.test(body) || !/&(lt|gt|amp|quot|#\d+);/.test(body) ? escapeText(body) : body;
  return `<pre><code${lang ? ` class="language-${lang.toLowerCase()}"` : ""}>${escaped}</code></pre>`;
}

function caption(attrs: Record<string, string>, inner: string): string {
  // The medium (an image, maybe in a link) comes first; the rest is the caption.
  const m = /^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*<\/a>)?)([\s\S]*)$/i.exec(inner);
  const media = m ? m[1] : "";
  const text = (m ? m[2] : inner).trim() || attrs.caption || "";
  const classes = ["wp-caption", attrs.align, attrs.class].filter(Boolean).join(" ");
  const id = attrs.id ? ` id="${escapeAttr(attrs.id)}"` : "";
  return `<figure${id} class="${escapeAttr(classes)}">${media}${text ? `<figcaption class="wp-caption-text">${text}</figcaption>` : ""}</figure>`;
}

function gallery(attrs: Record<string, string>, opts: BodyOptions): string {
  const ids = (attrs.ids ?? attrs.include ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const items = ids.length
    ? ids.map((id) => opts.attachments.get(id)).filter((a): a is WpAttachment => !!a)
    : (opts.attachmentsByParent?.get(attrs.id ?? opts.postId) ?? []);
  const columns = Math.max(1, Math.min(9, Number(attrs.columns) || 3));
  const figures = items
    .filter((a) => a.url)
    .map((a) => {
      const img = `<img src="${escapeAttr(a.url)}" alt="${escapeAttr(decodeEntities(a.alt || ""))}" loading="lazy">`;
      const linked = attrs.link === "none" ? img : `<a href="${escapeAttr(a.url)}">${img}</a>`;
      const cap = a.caption.trim() ? `<figcaption>${a.caption.trim()}</figcaption>` : "";
      return `<figure class="gallery-item">${linked}${cap}</figure>`;
    });
  return `<div class="gallery gallery-columns-${columns}">${figures.join("")}</div>`;
}

function media(tag: "audio" | "video", attrs: Record<string, string>): string {
  const src = attrs.src ?? attrs.mp3 ?? attrs.m4a ?? attrs.ogg ?? attrs.wav ?? attrs.mp4 ?? attrs.webm ?? attrs.ogv ?? attrs.m4v ?? "";
  if (!src) return "";
  return `<${tag} controls preload="none" src="${escapeAttr(src)}"><a href="${escapeAttr(src)}">${escapeText(src)}</a></${tag}>`;
}

function embed(url: string): string {
  const u = url.trim();
  if (!/^https?:\/\//i.test(u)) return escapeText(u);
  // No third-party player: a link to what was embedded.
  return `<p class="embed"><a href="${escapeAttr(u)}">${escapeText(u)}</a></p>`;
}

/** The post's HTML: shortcodes made HTML, then WordPress's automatic paragraphs. */
export function wordpressBody(content: string, opts: BodyOptions): Body {
  const blocks: string[] = [];
  const unknownShortcodes: Record<string, number> = {};
  const hold = (html: string) => {
    blocks.push(html);
    return `\n\n${OPEN}${blocks.length - 1}${CLOSE}\n\n`;
  };
  let text = content.replace(/\r\n?/g, "\n").replace(/[\uE010\uE011]/g, "");
  const isBlocks = /<!--\s*wp:/.test(text);

  // Code first: its content is never read as shortcodes or paragraphs.
  text = text.replace(/\[(code|sourcecode|source)\b([^\]]*)\]([\s\S]*?)\[\/\1\]/gi, (_, _name, attrs: string, inner: string) =>
    hold(codeBlock(shortcodeAttrs(attrs), inner)),
  );
  // Enclosing shortcodes.
  text = text.replace(/\[(caption|wp_caption)\b([^\]]*)\]([\s\S]*?)\[\/\1\]/gi, (_, _n, attrs: string, inner: string) =>
    hold(caption(shortcodeAttrs(attrs), inner)),
  );
  text = text.replace(/\[embed\b[^\]]*\]([\s\S]*?)\[\/embed\]/gi, (_, url: string) => hold(embed(url)));
  // Self-closing ones.
  text = text.replace(/\[gallery\b([^\]]*)\]/gi, (_, attrs: string) => hold(gallery(shortcodeAttrs(attrs), opts)));
  text = text.replace(/\[(audio|video)\b([^\]]*)\](?:([\s\S]*?)\[\/\1\])?/gi, (_, tag: string, attrs: string) =>
    hold(media(tag.toLowerCase() as "audio" | "video", shortcodeAttrs(attrs))),
  );
  // A web address alone on its line was embedded by WordPress: a link here.
  if (!isBlocks) text = text.replace(/^[ \t]*(https?:\/\/[^\s<>"]+)[ \t]*$/gim, (_, url: string) => hold(embed(url)));
  // Other shortcodes stay as text, counted.
  for (const m of text.matchAll(/\[([a-z][\w-]*)(?:\s[^\]]*=[^\]]*)?\](?:[\s\S]*?\[\/\1\])?/gi)) {
    const name = m[1].toLowerCase();
    if (KNOWN.has(name)) continue;
    if (!m[0].includes("=") && !m[0].includes(`[/${m[1]}]`)) continue; // [sic], [1]: not shortcodes
    unknownShortcodes[name] = (unknownShortcodes[name] ?? 0) + 1;
  }
  text = text.replace(/<!--\s*more\b[^>]*-->/gi, "").replace(/<!--\s*nextpage\s*-->/gi, "");

  let html: string;
  if (isBlocks) html = text.replace(/<!--\s*\/?wp:[\s\S]*?-->\n?/g, "");
  else html = autop(text);
  // Held blocks back in place, without the paragraph autop may have put around them.
  html = html
    .replace(new RegExp(`<p>\\s*${OPEN}(\\d+)${CLOSE}\\s*(?:<br\\s*/?>)?\\s*</p>`, "g"), (_, i: string) => blocks[Number(i)])
    .replace(new RegExp(`${OPEN}(\\d+)${CLOSE}`, "g"), (_, i: string) => blocks[Number(i)]);
  return { html: html.replace(/\n{3,}/g, "\n\n").trim(), unknownShortcodes };
}

/** Plain text of some HTML (a summary): tags out, entities decoded, spaces collapsed. */
export function plainText(html: string): string {
  const withoutTags = html
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/\[[^\]]*\]/g, " ");
  return decodeEntities(withoutTags).replace(/\s+/g, " ").trim();
}

/** A summary of at most about `max` characters, cut at a word. */
export function summaryOf(text: string, max = 200): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, "")}…`;
}

/** Addresses of media (uploads) in some HTML. */
export function mediaUrls(html: string): string[] {
  const out = new Set<string>();
  for (const m of html.matchAll(/(?:src|href|srcset)\s*=\s*["']([^"']+)["']/gi)) {
    for (const part of m[1].split(",")) {
      const url = part.trim().split(/\s+/)[0];
      if (/^https?:\/\/[^\s]+\/wp-content\/uploads\//i.test(url) || /^\/wp-content\/uploads\//i.test(url)) out.add(url);
    }
  }
  return [...out];
}

/** Media addresses moved to another base (--media-base): the old site's origin replaced, the path kept. */
export function rewriteMedia(html: string, oldHosts: string[], base: string): string {
  if (!oldHosts.length) return html;
  const hosts = oldHosts.map((h) => h.replace(/^www\./, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  const re = new RegExp(`https?://(?:www\\.)?(?:${hosts})(/[^"'\\s)<>]*?wp-content/uploads/)`, "gi");
  const b = base.replace(/\/+$/, "");
  return html.replace(re, (_, path: string) => `${b}${path}`);
}
