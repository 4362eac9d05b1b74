// Comment text → safe HTML, with markdown-it in its safe mode: raw HTML is escaped, not passed
// through, and links with dangerous schemes (javascript:, vbscript:, file:, any data:) are not made.
// Used when a comment is written (Worker), seeded or imported (Node), so both agree.
import MarkdownIt from "markdown-it";

const md = new MarkdownIt("zero", { html: false, linkify: true, breaks: true });
// The subset a comment may use: paragraphs and line breaks, emphasis, inline code and code
// blocks, quotes, links (written or bare).
md.enable(["paragraph", "newline", "emphasis", "backticks", "code", "fence", "blockquote", "link", "linkify", "autolink", "escape", "entity"]);

// markdown-it's own check still lets data:image/... links through; a comment never needs a data:
// URL, so every one is refused (the text stays, unlinked).
const BAD_PROTOCOL = /^(javascript|vbscript|file|data):/;
md.validateLink = (url) => !BAD_PROTOCOL.test(url.trim().toLowerCase());

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet("rel", "nofollow ugc noopener");
  return defaultLinkOpen(tokens, idx, options, env, self);
};

export function renderCommentHtml(source: string): string {
  return md.render(source).trim();
}

/** How many links a comment's HTML holds, for the hold-for-moderation rule. */
export function countLinks(html: string): number {
  return (html.match(/<a\s/g) ?? []).length;
}
