// npm run generate:blog -- [--out build/big-blog.xml] [--posts 2000] [--comments 60000] [--hot 4]
//                          [--hot-size 5000] [--depth 10] [--pages 12] [--seed 2008] [--gzip]
//
// A realistic large WordPress export (WXR 1.2), made here and seeded (the same file every time):
// a blog started in 2008, French and English posts with HTML, entities and shortcodes, pages,
// drafts and media, and years of comments — threads up to 10 deep, a few posts with thousands of
// comments, held, spam, trashed, pingbacks. Written as a stream: any size in bounded memory.
// The benchmark (npm run bench:import) imports it; tests use small sizes.
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { constants, createGzip } from "node:zlib";
import { createWriteStream } from "node:fs";
import { seededRandom } from "./random.ts";

export interface BlogShape {
  posts: number;
  comments: number;
  /** Posts with `hotSize` comments each (the rest share what is left). */
  hot: number;
  hotSize: number;
  /** Deepest reply (a top-level comment is depth 0). */
  depth: number;
  pages: number;
  seed: number;
  site: string;
}

export const DEFAULT_SHAPE: BlogShape = {
  posts: 2000,
  comments: 60_000,
  hot: 4,
  hotSize: 5000,
  depth: 10,
  pages: 12,
  seed: 2008,
  site: "https://www.vieux-carnet.example.org",
};

/** What the file holds, to check an import against. */
export interface BlogCounts {
  posts: number;
  pages: number;
  drafts: number;
  attachments: number;
  comments: { approved: number; pending: number; spam: number; deleted: number };
  pingbacks: number;
  maxDepth: number;
  largest: { slug: string; comments: number };
}

const FR = [
  "réseau",
  "blog",
  "été",
  "café",
  "lecture",
  "fédération",
  "courriel",
  "hébergement",
  "liberté",
  "écriture",
  "forêt",
  "mémoire",
  "cœur",
  "leçon",
  "théâtre",
];
const EN = [
  "network",
  "garden",
  "summer",
  "coffee",
  "reading",
  "federation",
  "email",
  "hosting",
  "freedom",
  "writing",
  "forest",
  "memory",
  "heart",
  "lesson",
  "theatre",
];
const FR_SENT = [
  "C’est exactement ce que je pensais",
  "Je ne suis pas tout à fait d’accord",
  "Merci pour ce billet",
  "Voilà qui donne à réfléchir",
  "J’ai lu ça avec « plaisir »",
  "Et pourtant, ça tourne",
];
const EN_SENT = [
  "That is exactly what I thought",
  "I do not quite agree",
  "Thanks for this post",
  "Food for thought",
  "I read it with “pleasure”",
  "And yet it moves",
];

const cdata = (s: string) => `<![CDATA[${s.replace(/]]>/g, "]]]]><![CDATA[>")}]]>`;
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const sqlDate = (t: number) => {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};

/** Writes the export; returns what it holds. `write` receives the text a piece at a time. */
export function generateBlog(shape: BlogShape, write: (text: string) => void): BlogCounts {
  const rnd = seededRandom(shape.seed);
  const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)];
  const counts: BlogCounts = {
    posts: shape.posts,
    pages: shape.pages,
    drafts: 0,
    attachments: 0,
    comments: { approved: 0, pending: 0, spam: 0, deleted: 0 },
    pingbacks: 0,
    maxDepth: 0,
    largest: { slug: "", comments: 0 },
  };

  // How many comments each post gets: the hot ones, then the rest spread unevenly.
  const perPost = new Array<number>(shape.posts).fill(0);
  const hot = Math.min(shape.hot, shape.posts);
  let left = Math.max(0, shape.comments - hot * shape.hotSize);
  for (let i = 0; i < hot; i++) perPost[Math.floor((i + 0.5) * (shape.posts / hot))] = shape.hotSize;
  const others = perPost.map((n, i) => (n ? -1 : i)).filter((i) => i >= 0);
  const weights = others.map(() => rnd() ** 3);
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  for (const [k, i] of others.entries()) {
    const n = k === others.length - 1 ? left : Math.min(left, Math.round((weights[k] / total) * Math.max(0, shape.comments - hot * shape.hotSize)));
    perPost[i] = n;
    left -= n;
  }

  write(`<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>Le vieux carnet</title>
	<link>${shape.site}</link>
	<description>Notes depuis 2008</description>
	<language>fr-FR</language>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>${shape.site}</wp:base_site_url>
	<wp:base_blog_url>${shape.site}</wp:base_blog_url>
	<wp:author><wp:author_id>1</wp:author_id><wp:author_login>${cdata("arnaud")}</wp:author_login><wp:author_email>${cdata("arnaud@example.org")}</wp:author_email><wp:author_display_name>${cdata("Arnaud Lefèvre")}</wp:author_display_name></wp:author>
	<wp:author><wp:author_id>2</wp:author_id><wp:author_login>${cdata("claire")}</wp:author_login><wp:author_email>${cdata("claire@example.org")}</wp:author_email><wp:author_display_name>${cdata("Claire O'Neil")}</wp:author_display_name></wp:author>
`);
  const start = Date.UTC(2008, 0, 7, 9, 0, 0);
  const span = Date.UTC(2025, 11, 31) - start;
  let commentId = 1;
  let itemId = 1;

  for (let i = 0; i < shape.pages; i++) {
    const id = itemId++;
    const slug = `page-${i + 1}-${FR[i % FR.length].normalize("NFD").replace(/[\u0300-\u036f]/g, "")}`;
    write(
      `	<item><title>${esc(`Page ${i + 1} : ${FR[i % FR.length]} &amp; co`)}</title><link>${shape.site}/${slug}/</link><dc:creator>${cdata("arnaud")}</dc:creator><guid isPermaLink="false">${shape.site}/?page_id=${id}</guid><content:encoded>${cdata(`Une page sur le ${FR[i % FR.length]}.\n\nAvec <em>deux</em> paragraphes &amp; une entité&nbsp;!`)}</content:encoded><excerpt:encoded>${cdata("")}</excerpt:encoded><wp:post_id>${id}</wp:post_id><wp:post_date>${cdata(sqlDate(start + i * 86_400_000))}</wp:post_date><wp:post_date_gmt>${cdata(sqlDate(start + i * 86_400_000 - 3_600_000))}</wp:post_date_gmt><wp:comment_status>${cdata("closed")}</wp:comment_status><wp:post_name>${cdata(slug)}</wp:post_name><wp:status>${cdata("publish")}</wp:status><wp:post_parent>0</wp:post_parent><wp:post_type>${cdata("page")}</wp:post_type><wp:post_password>${cdata("")}</wp:post_password></item>\n`,
    );
  }

  for (let p = 0; p < shape.posts; p++) {
    const id = itemId++;
    const en = p % 5 === 4;
    const words = en ? EN : FR;
    const w = words[p % words.length];
    const title = en ? `Notes on ${w}, part ${p + 1}` : `Billet ${p + 1} : le ${w} & « nous »`;
    const ascii = w
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/œ/g, "oe");
    // Old permalinks used underscores now and then.
    const slug = p % 7 === 3 ? `billet_${p + 1}_${ascii}` : `${en ? "notes" : "billet"}-${p + 1}-${ascii}`;
    const t = start + Math.floor((p / shape.posts) * span);
    const d = new Date(t + 3_600_000);
    const link = `${shape.site}/${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${slug}/`;
    const sentences = en ? EN_SENT : FR_SENT;
    const body = [
      `${pick(sentences)}, with <strong>HTML</strong> &amp; an entity&nbsp;: l&#8217;${w}.`,
      `Line two of the first paragraph, a <a href="https://example.org/${ascii}?a=1&amp;b=2">link</a>.`,
      "",
      p % 11 === 0
        ? `[caption id="attachment_${id}" align="alignright" width="300"]<img src="${shape.site}/wp-content/uploads/${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${ascii}.jpg" alt="${w}" width="300" height="200" /> ${w}[/caption]\n`
        : "",
      `<blockquote>${pick(sentences)} — 😀</blockquote>`,
      "",
      p % 13 === 0 ? '[code lang="js"]if (a < b && c) { go(); }[/code]\n' : "",
      `${pick(sentences)}. ${pick(sentences)}.`,
    ].join("\n");
    const n = perPost[p];
    if (n > counts.largest.comments) counts.largest = { slug: slug.replace(/_/g, "-"), comments: n };
    write(`	<item>
		<title>${esc(title)}</title>
		<link>${link}</link>
		<pubDate>${d.toUTCString()}</pubDate>
		<dc:creator>${cdata(p % 3 ? "arnaud" : "claire")}</dc:creator>
		<guid isPermaLink="false">${shape.site}/?p=${id}</guid>
		<content:encoded>${cdata(body)}</content:encoded>
		<excerpt:encoded>${cdata(p % 4 ? "" : `${title} — ${pick(sentences)}.`)}</excerpt:encoded>
		<wp:post_id>${id}</wp:post_id>
		<wp:post_date>${cdata(sqlDate(t + 3_600_000))}</wp:post_date>
		<wp:post_date_gmt>${cdata(sqlDate(t))}</wp:post_date_gmt>
		<wp:comment_status>${cdata(p % 9 === 0 ? "closed" : "open")}</wp:comment_status>
		<wp:post_name>${cdata(slug)}</wp:post_name>
		<wp:status>${cdata("publish")}</wp:status>
		<wp:post_parent>0</wp:post_parent>
		<wp:post_type>${cdata("post")}</wp:post_type>
		<wp:post_password>${cdata("")}</wp:post_password>
		<category domain="category" nicename="${ascii}">${cdata(w)}</category>
		<category domain="post_tag" nicename="${en ? "english" : "francais"}">${cdata(en ? "English" : "Français")}</category>
`);
    // Comments: each replies to a recent one (up to the depth), or starts a thread.
    const depthOf: number[] = [];
    const ids: number[] = [];
    let ct = t + 600_000;
    for (let c = 0; c < n; c++) {
      const cid = commentId++;
      ct += Math.floor(rnd() * 3_600_000 * (n > 1000 ? 1 : 24));
      let parent = 0;
      let depth = 0;
      const r = rnd();
      if (ids.length && r < 0.55) {
        // Chains now and then reach the deepest level.
        const k = r < 0.12 ? ids.length - 1 : Math.max(0, ids.length - 1 - Math.floor(rnd() * 20));
        if (depthOf[k] < shape.depth) {
          parent = ids[k];
          depth = depthOf[k] + 1;
        }
      }
      ids.push(cid);
      depthOf.push(depth);
      counts.maxDepth = Math.max(counts.maxDepth, depth);
      const s = rnd();
      const ping = !parent && s > 0.99;
      const status = ping ? "1" : s < 0.9 ? "1" : s < 0.94 ? "0" : s < 0.98 ? "spam" : "trash";
      if (ping) counts.pingbacks++;
      else counts.comments[status === "1" ? "approved" : status === "0" ? "pending" : status === "spam" ? "spam" : "deleted"]++;
      const name = ping ? "Un autre blog" : pick(["José", "Léa", "Anonymous", "Marie-Ève", "John O'Brien", "Ana & Tom", "Zoë"]);
      const text = ping
        ? `[&#8230;] ${title} [&#8230;]`
        : `${pick(sentences)} &amp; ${pick(words)}&nbsp;!\n<em>${pick(sentences)}</em>${c % 17 === 0 ? `\n\n<a href="https://example.net/${c}">voir ici</a> <b>gras</b> &lt;3` : ""}`;
      write(
        `		<wp:comment><wp:comment_id>${cid}</wp:comment_id><wp:comment_author>${cdata(name)}</wp:comment_author><wp:comment_author_email>${cdata(ping ? "" : `reader${cid % 997}@example.com`)}</wp:comment_author_email><wp:comment_author_url>${cdata(ping ? `https://other.example.net/${cid}/` : c % 5 ? "" : `http://reader${cid % 97}.example.com`)}</wp:comment_author_url><wp:comment_author_IP>${cdata(`192.0.2.${cid % 250}`)}</wp:comment_author_IP><wp:comment_date>${cdata(sqlDate(ct + 3_600_000))}</wp:comment_date><wp:comment_date_gmt>${cdata(sqlDate(ct))}</wp:comment_date_gmt><wp:comment_content>${cdata(text)}</wp:comment_content><wp:comment_approved>${cdata(status)}</wp:comment_approved><wp:comment_type>${cdata(ping ? "pingback" : "comment")}</wp:comment_type><wp:comment_parent>${parent}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>\n`,
      );
    }
    write("	</item>\n");
    // Now and then a draft and a medium.
    if (p % 100 === 50) {
      counts.drafts++;
      write(
        `	<item><title>Brouillon ${p}</title><wp:post_id>${itemId++}</wp:post_id><wp:post_date>${cdata(sqlDate(t))}</wp:post_date><wp:post_name>${cdata("")}</wp:post_name><wp:status>${cdata("draft")}</wp:status><wp:post_type>${cdata("post")}</wp:post_type></item>\n`,
      );
    }
    if (p % 11 === 0) {
      counts.attachments++;
      write(
        `	<item><title>${esc(w)}</title><wp:post_id>${itemId++}</wp:post_id><wp:post_parent>${id}</wp:post_parent><wp:status>${cdata("inherit")}</wp:status><wp:post_type>${cdata("attachment")}</wp:post_type><wp:attachment_url>${cdata(`${shape.site}/wp-content/uploads/${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${ascii}.jpg`)}</wp:attachment_url></item>\n`,
      );
    }
  }
  write("</channel>\n</rss>\n");
  return counts;
}

/** Writes the export to a file (gzipped when it ends in .gz), a piece at a time. */
export async function writeBlog(file: string, shape: BlogShape): Promise<BlogCounts> {
  mkdirSync(dirname(file), { recursive: true });
  if (file.endsWith(".gz")) {
    const gz = createGzip({ level: constants.Z_BEST_SPEED });
    const out = createWriteStream(file);
    gz.pipe(out);
    let buffer = "";
    const counts = generateBlog(shape, (text) => {
      buffer += text;
      if (buffer.length > 1 << 20) {
        gz.write(buffer);
        buffer = "";
      }
    });
    gz.end(buffer);
    await new Promise<void>((resolve, reject) => out.on("finish", () => resolve()).on("error", reject));
    return counts;
  }
  const fd = openSync(file, "w");
  let buffer = "";
  try {
    const counts = generateBlog(shape, (text) => {
      buffer += text;
      if (buffer.length > 1 << 20) {
        writeSync(fd, buffer);
        buffer = "";
      }
    });
    writeSync(fd, buffer);
    return counts;
  } finally {
    closeSync(fd);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      out: { type: "string", default: "build/big-blog.xml" },
      posts: { type: "string" },
      comments: { type: "string" },
      hot: { type: "string" },
      "hot-size": { type: "string" },
      depth: { type: "string" },
      pages: { type: "string" },
      seed: { type: "string" },
      gzip: { type: "boolean", default: false },
    },
  });
  const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
  const shape: BlogShape = {
    ...DEFAULT_SHAPE,
    posts: num(values.posts, DEFAULT_SHAPE.posts),
    comments: num(values.comments, DEFAULT_SHAPE.comments),
    hot: num(values.hot, DEFAULT_SHAPE.hot),
    hotSize: num(values["hot-size"], DEFAULT_SHAPE.hotSize),
    depth: num(values.depth, DEFAULT_SHAPE.depth),
    pages: num(values.pages, DEFAULT_SHAPE.pages),
    seed: num(values.seed, DEFAULT_SHAPE.seed),
  };
  const out = resolve(process.env.INIT_CWD ?? process.cwd(), values.gzip && !values.out.endsWith(".gz") ? `${values.out}.gz` : values.out);
  const counts = await writeBlog(out, shape);
  console.log(
    `${out}: ${counts.posts} posts, ${counts.pages} pages, ${counts.drafts} drafts, ${counts.attachments} media; comments ${JSON.stringify(counts.comments)}, ${counts.pingbacks} pingbacks, threads ${counts.maxDepth} deep, the largest thread ${counts.largest.comments} comments (${counts.largest.slug})`,
  );
}
