// Imported comment HTML (WordPress, Disqus) → billet's comment Markdown subset.
//
// The HTML is read by parse5 (the WHATWG parser, so malformed markup and every named entity are
// read as a browser read them) and only its text and a few structures are kept: links, emphasis,
// code, quotes, paragraphs and line breaks. Nothing of the original markup is passed on: the
// result is Markdown source, which the one comment renderer (markdown-it, safe mode) turns into
// HTML. Text is escaped so that what was plain text stays plain text (a literal `*` or `[x](y)`
// does not become emphasis or a link).
import { parseFragment, type DefaultTreeAdapterTypes } from "parse5";

type Node = DefaultTreeAdapterTypes.ChildNode;
type Element = DefaultTreeAdapterTypes.Element;

export interface HtmlToMarkdownOptions {
  /**
   * `wordpress`: line breaks in the text count, as WordPress shows them (one newline is a line
   * break, a blank line a new paragraph). `html`: whitespace is collapsed as a browser does, and
   * only `<p>`, `<br>` and other blocks break lines (Disqus).
   */
  newlines: "wordpress" | "html";
}

// Elements whose content a reader never saw as text.
const DROPPED = new Set([
  "script",
  "style",
  "template",
  "noscript",
  "iframe",
  "object",
  "embed",
  "head",
  "title",
  "textarea",
  "select",
  "button",
  "svg",
  "math",
  "audio",
  "video",
  "canvas",
]);
const BLOCKS = new Set([
  "p",
  "div",
  "section",
  "article",
  "header",
  "footer",
  "aside",
  "nav",
  "main",
  "figure",
  "figcaption",
  "address",
  "center",
  "dl",
  "dt",
  "dd",
  "table",
  "tr",
  "thead",
  "tbody",
  "tfoot",
  "caption",
  "hr",
  "details",
  "summary",
  "fieldset",
  "form",
]);
const HEADINGS = new Set(["h1", "h2", "h3", "h4", "h5", "h6"]);
// Containers whose whitespace-only text is layout, not content.
const LAYOUT = new Set(["ul", "ol", "table", "thead", "tbody", "tfoot", "tr", "dl"]);

// Finished blocks (code, quotes) are set aside while the text around them is tidied, then put back.
const OPEN = "\uE000";
const CLOSE = "\uE001";

class Converter {
  private blocks: string[] = [];
  private inLink = 0;
  private readonly opts: HtmlToMarkdownOptions;
  constructor(opts: HtmlToMarkdownOptions) {
    this.opts = opts;
  }

  convert(html: string): string {
    const fragment = parseFragment(html.replace(/\r\n?/g, "\n").replace(/[\uE000\uE001\u0000]/g, ""));
    return this.block(fragment.childNodes);
  }

  /** A sequence of nodes as finished Markdown blocks: tidied, with the set-aside blocks put back. */
  private block(nodes: Node[]): string {
    return this.restore(tidy(this.inline(nodes)));
  }

  private restore(text: string): string {
    return text.replace(new RegExp(`${OPEN}(\\d+)${CLOSE}`, "g"), (_, i: string) => this.blocks[Number(i)]);
  }

  private setAside(markdown: string): string {
    this.blocks.push(markdown);
    return `\n\n${OPEN}${this.blocks.length - 1}${CLOSE}\n\n`;
  }

  private inline(nodes: Node[], parent?: string): string {
    let out = "";
    for (const node of nodes) out += this.node(node, parent);
    return out;
  }

  private node(node: Node, parent?: string): string {
    if (node.nodeName === "#text") {
      const value = (node as DefaultTreeAdapterTypes.TextNode).value;
      if (parent && LAYOUT.has(parent) && !value.trim()) return "";
      const text = this.opts.newlines === "wordpress" ? value.replace(/[ \t\f\v]+/g, " ") : value.replace(/[ \t\n\f\v]+/g, " ");
      return escapeMarkdown(text);
    }
    if (!("tagName" in node)) return ""; // comments, doctype
    const el = node as Element;
    const tag = el.tagName;
    if (DROPPED.has(tag)) return "";
    const children = () => this.inline(el.childNodes, tag);
    switch (tag) {
      case "br":
        return "\n";
      case "em":
      case "i":
      case "cite":
      case "dfn":
      case "var":
        return emphasis(children(), "*");
      case "strong":
      case "b":
        return emphasis(children(), "**");
      case "a": {
        this.inLink++;
        const inner = children();
        this.inLink--;
        return this.link(el, inner);
      }
      case "img":
        return this.image(el);
      case "code":
      case "kbd":
      case "samp":
      case "tt": {
        const text = textOf(el);
        return text.includes("\n\n") ? this.setAside(fence(text)) : codeSpan(text);
      }
      case "pre":
        return this.setAside(fence(textOf(el).replace(/^\n/, "").replace(/\n+$/, "")));
      case "blockquote": {
        const inner = this.block(el.childNodes);
        if (!inner) return "";
        return this.setAside(
          inner
            .split("\n")
            .map((line) => (line ? `> ${line}` : ">"))
            .join("\n"),
        );
      }
      case "ul":
      case "ol":
        return `\n\n${this.listItems(el)}\n\n`;
      case "li":
        return `\n- ${children()}`;
      case "td":
      case "th":
        return `${children()} `;
      default:
        if (HEADINGS.has(tag)) return `\n\n${emphasis(children(), "**")}\n\n`;
        if (BLOCKS.has(tag)) return `\n\n${children()}\n\n`;
        return children(); // span, u, s, del, ins, abbr, font, small, sub, sup, q, mark, unknown tags...
    }
  }

  private listItems(list: Element): string {
    let n = Number(getAttr(list, "start")) || 1;
    const ordered = list.tagName === "ol";
    return list.childNodes
      .map((child) => {
        if (!("tagName" in child) || child.tagName !== "li") return this.node(child, list.tagName);
        const marker = ordered ? `${n++}. ` : "- ";
        return `\n${marker}${this.inline((child as Element).childNodes, "li").trim()}`;
      })
      .join("");
  }

  private link(el: Element, inner: string): string {
    const href = safeUrl(getAttr(el, "href"), true);
    if (!href) return inner;
    const text = inner.trim() || escapeMarkdown(href);
    if (text.includes("\n\n")) return inner; // a link can't span paragraphs: keep the text
    return `[${text}](${destination(href)})`;
  }

  private image(el: Element): string {
    const alt = (getAttr(el, "alt") ?? "").replace(/\s+/g, " ").trim();
    const src = safeUrl(getAttr(el, "src"), false);
    if (!src || this.inLink) return escapeMarkdown(alt);
    return `[${escapeMarkdown(alt || "image")}](${destination(src)})`;
  }
}

function getAttr(el: Element, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name)?.value;
}

/** The text a node holds (for code), entities already decoded by the parser. */
function textOf(node: Node): string {
  if (node.nodeName === "#text") return (node as DefaultTreeAdapterTypes.TextNode).value;
  if (!("tagName" in node)) return "";
  if (node.tagName === "br") return "\n";
  if (DROPPED.has(node.tagName)) return "";
  return node.childNodes.map(textOf).join("");
}

/** Absolute http(s) URLs (and mailto: for links) only; anything else is dropped, its text kept. */
function safeUrl(value: string | undefined, allowMailto: boolean): string | null {
  if (!value) return null;
  const trimmed = value.trim();
  try {
    const url = new URL(trimmed);
    if (url.protocol === "http:" || url.protocol === "https:" || (allowMailto && url.protocol === "mailto:")) return url.href;
  } catch {
    // relative or malformed
  }
  return null;
}

/** A link destination markdown-it reads back unchanged (a parsed URL has no spaces or angle brackets). */
function destination(url: string): string {
  return /[()\\]/.test(url) ? `<${url}>` : url;
}

function emphasis(inner: string, marker: string): string {
  const m = /^(\s*)([\s\S]*?)(\s*)$/.exec(inner)!;
  if (!m[2] || m[2].includes("\n\n") || m[2].includes(OPEN)) return inner;
  return `${m[1]}${marker}${m[2]}${marker}${m[3]}`;
}

function codeSpan(text: string): string {
  const flat = text.replace(/\n/g, " ");
  if (!flat.trim()) return escapeMarkdown(flat);
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const ticks = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || (flat.startsWith(" ") && flat.endsWith(" ")) ? " " : "";
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

function fence(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const ticks = "`".repeat(longest + 1);
  return `${ticks}\n${text}\n${ticks}`;
}

/**
 * Plain text as Markdown that renders back to the same text: the characters that would start
 * emphasis, code, a link, an autolink, an entity or (at a line start) a quote or a fence are
 * backslash-escaped. Bare http(s) addresses are left alone: the renderer links them whole, as
 * WordPress and Disqus did.
 */
export function escapeMarkdown(text: string): string {
  return text
    .split(/(https?:\/\/[^\s<>"]+)/)
    .map((part, i) => (i % 2 === 1 ? part : escapePlain(part)))
    .join("");
}

function escapePlain(text: string): string {
  let out = "";
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const next = text[i + 1] ?? "";
    const prev = text[i - 1] ?? "";
    if (c === "\n") {
      out += c;
      lineStart = true;
      continue;
    }
    if (c === "\\") out += "\\\\";
    else if (c === "*" || c === "`" || c === "[" || c === "]") out += `\\${c}`;
    else if (c === "_") out += /[\p{L}\p{N}]/u.test(prev) && /[\p{L}\p{N}]/u.test(next) ? c : "\\_";
    else if (c === "<") out += /[A-Za-z/!?]/.test(next) ? "\\<" : c;
    else if (c === "&") out += /^&(?:#\d+|#x[\da-f]+|[a-z][a-z\d]*);/i.test(text.slice(i)) ? "\\&" : c;
    else if ((c === ">" || c === "~") && lineStart) out += `\\${c}`;
    else out += c;
    if (c !== " " && c !== "\t") lineStart = false;
  }
  return out;
}

/** Collapse spaces, trim every line, at most one blank line between paragraphs (no-break spaces stay). */
function tidy(text: string): string {
  return text
    .replace(/[ \t]+/g, " ")
    .split("\n")
    .map((line) => line.replace(/^ +| +$/g, ""))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .replace(/^\n+|\n+$/g, "");
}

export function htmlToMarkdown(html: string, opts: HtmlToMarkdownOptions): string {
  return new Converter(opts).convert(html);
}

/** Decodes HTML character references in a plain-text field (a WordPress author name), tags untouched. */
export function decodeEntities(text: string): string {
  const fragment = parseFragment(text.replace(/</g, "&lt;"));
  return fragment.childNodes.map(textOf).join("");
}
