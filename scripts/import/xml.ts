// Streaming XML for exports (WordPress WXR, Disqus): saxes (a conformant, streaming parser) reads
// the text as it comes; each child of the container element (<rss><channel> for WordPress,
// <disqus> for Disqus) is handed over whole, as a small tree, when it closes. So memory holds one
// post (or one Disqus thread or comment) at a time, whatever the size of the file.
//
// Element and attribute names are given with a fixed prefix chosen by namespace URI, so an export
// that binds WordPress's namespace to another prefix, or uses https:// or another WXR version in
// the URI, reads the same. A file that is not well-formed stops with an ImportError naming the
// line and column and saying what is wrong in words.
import { SaxesParser, type SaxesTagPlain } from "saxes";
import { ImportError } from "./problems.ts";

export interface XNode {
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  text: string;
  line: number;
  column: number;
}

/** The prefix billet reads a namespace under, by URI (null: keep the file's own prefix). */
function canonicalPrefix(uri: string): string | null {
  const u = uri.trim().toLowerCase().replace(/\/+$/, "");
  if (/^https?:\/\/(www\.)?wordpress\.(org|com)\/export\/[\d.]+\/excerpt$/.test(u)) return "excerpt";
  if (/^https?:\/\/(www\.)?wordpress\.(org|com)\/export\/[\d.]+$/.test(u)) return "wp";
  if (/^https?:\/\/purl\.org\/rss\/1\.0\/modules\/content$/.test(u)) return "content";
  if (/^https?:\/\/purl\.org\/dc\/elements\/1\.1$/.test(u)) return "dc";
  if (/^https?:\/\/wellformedweb\.org\/commentapi$/.test(u)) return "wfw";
  if (/^https?:\/\/disqus\.com\/disqus-internals$/.test(u)) return "dsq";
  return null;
}

/** What saxes says, in words an author can act on. */
function explain(message: string): string {
  const m = message.replace(/\.$/, "");
  if (m === "text data outside of root node")
    return "there is text outside the document's root element (a stray character before <?xml … ?> or after the last closing tag?)";
  if (/XML declaration must be at the start|must appear at the start/i.test(m))
    return "something comes before the XML declaration <?xml … ?>, which must open the file (blank lines count: some WordPress plugins add them; delete everything before <?xml)";
  if (m === "unquoted attribute value" || m === "value must be quoted") return "an attribute's value is not in quotes";
  if (m.startsWith("unclosed tag: ")) return `the file ends while <${m.slice(14)}> is still open: it looks truncated (cut off before its end)`;
  if (m === "unexpected end") return "the file ends in the middle of a tag: it looks truncated (cut off before its end)";
  if (m === "document must contain a root element") return "the file holds no XML element at all (empty, or cut off at its start)";
  if (m === "unexpected close tag" || m.startsWith("unmatched closing tag"))
    return `a closing tag${m.startsWith("unmatched") ? ` (</${m.slice(23)}>)` : ""} does not match the element that is open`;
  if (m === "undefined entity" || m === "empty entity name" || m === "malformed character entity")
    return "an entity (&name;) that XML does not define: HTML text must be inside <![CDATA[ … ]]>";
  if (m.startsWith("disallowed character")) return "a character XML does not allow (a control character, or a stray < or & in a name)";
  if (m.startsWith("duplicate attribute")) return `an element has the same attribute twice (${m.replace(/^duplicate attribute: /, "")})`;
  if (m === "attribute without value" || m === "value required") return "an attribute has no value";
  if (m === "no whitespace between attributes") return "two attributes are not separated by a space";
  if (m === "documents may contain only one root") return "there is a second root element after the end of the document";
  if (m === "malformed comment") return "an XML comment <!-- … --> is malformed";
  return "the XML is not well-formed here";
}

export interface XmlReaderOptions {
  /** The file name, for messages. */
  file: string;
  /** Names (canonical) from the root to the container whose children are handed over. */
  container: string[];
  onRoot?: (name: string, attrs: Record<string, string>) => void;
  onChild: (node: XNode) => void;
  /**
   * Called when an element of one of these names closes inside a child of the container (a
   * WordPress comment inside its post): when it returns true the element is consumed there and
   * then, and not kept in the child's tree, so a post with thousands of comments is never held whole.
   */
  nested?: { names: Set<string>; onNested: (node: XNode, parent: XNode) => boolean };
}

/** Feeds text to saxes; `write` and `close` throw an ImportError when the XML is not well-formed. */
export class XmlReader {
  private readonly parser = new SaxesParser({ position: true, fileName: undefined });
  private readonly scopes: Map<string, string>[] = [new Map()];
  private readonly path: string[] = [];
  private readonly stack: XNode[] = [];
  private readonly opts: XmlReaderOptions;
  /** The last line and column reached: where a truncated file ends. */
  line = 1;
  column = 0;

  constructor(opts: XmlReaderOptions) {
    this.opts = opts;
    const p = this.parser;
    p.on("error", (err) => {
      const at = /^(?:.*?:)?(\d+):(\d+): (.*)$/s.exec(err.message);
      const line = at ? Number(at[1]) : p.line;
      const column = at ? Number(at[2]) : p.column;
      throw new ImportError(`${opts.file}, line ${line}, column ${column}: ${explain(at ? at[3] : err.message)}. Nothing was imported.`, {
        line,
        column,
        kind: "xml",
      });
    });
    p.on("opentag", (tag) => this.open(tag as SaxesTagPlain));
    p.on("closetag", () => this.closeTag());
    p.on("text", (text) => this.text(text));
    p.on("cdata", (text) => this.text(text));
  }

  private resolve(qname: string): string {
    const at = qname.indexOf(":");
    if (at < 0) return qname;
    const prefix = qname.slice(0, at);
    if (prefix === "xmlns" || prefix === "xml") return qname;
    let uri: string | undefined;
    for (let i = this.scopes.length - 1; i >= 0 && uri === undefined; i--) uri = this.scopes[i].get(prefix);
    const canonical = uri ? canonicalPrefix(uri) : null;
    return `${canonical ?? prefix}:${qname.slice(at + 1)}`;
  }

  private open(tag: SaxesTagPlain): void {
    const scope = new Map<string, string>();
    for (const [k, v] of Object.entries(tag.attributes)) if (k.startsWith("xmlns:")) scope.set(k.slice(6), String(v));
    this.scopes.push(scope);
    const name = this.resolve(tag.name);
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) attrs[this.resolve(k)] = String(v);
    if (this.path.length === 0) this.opts.onRoot?.(name, attrs);
    const capturing = this.stack.length > 0 || this.atContainer();
    this.path.push(name);
    if (capturing) {
      const node: XNode = { name, attrs, children: [], text: "", line: this.parser.line, column: this.parser.column };
      this.stack.at(-1)?.children.push(node);
      this.stack.push(node);
    }
  }

  private atContainer(): boolean {
    const c = this.opts.container;
    return this.path.length === c.length && c.every((n, i) => this.path[i] === n);
  }

  private closeTag(): void {
    this.scopes.pop();
    this.path.pop();
    const node = this.stack.pop();
    if (!node) return;
    if (this.stack.length === 0) this.opts.onChild(node);
    else if (this.stack.length === 1 && this.opts.nested?.names.has(node.name) && this.opts.nested.onNested(node, this.stack[0])) {
      const siblings = this.stack[0].children;
      if (siblings.at(-1) === node) siblings.pop();
    }
  }

  private text(text: string): void {
    const node = this.stack.at(-1);
    if (node) node.text += text;
  }

  write(chunk: string): void {
    this.parser.write(chunk);
    this.line = this.parser.line;
    this.column = this.parser.column;
  }

  close(): void {
    this.parser.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the trees

export function child(node: XNode | undefined, name: string): XNode | undefined {
  return node?.children.find((c) => c.name === name);
}

export function children(node: XNode | undefined, name: string): XNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

/** The text of a child element ("" when absent). */
export function text(node: XNode | undefined, name: string): string {
  return child(node, name)?.text ?? "";
}
