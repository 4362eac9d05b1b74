// Approved comments written straight into the local D1 as SQL, to grow a thread for the growth
// table. Their HTML comes from the Worker's own renderer, as for comments posted through the API.
import { renderCommentHtml } from "../../workers/render/markdown.ts";

const q = (v: string | number | null) => (v === null ? "NULL" : typeof v === "number" ? String(v) : `'${v.replace(/'/g, "''")}'`);

const PHRASES = [
  "Je partage *assez* ce constat : trois ans de réseaux, c’est long pour si peu de contacts utiles.",
  "Le vrai réseau se fait encore autour d’un café, mais les outils aident à **garder le lien**.",
  "Pour ma part, Viadeo m’a apporté deux missions ; Facebook, aucune. Question de public, sans doute.",
  "Et nos données dans tout ça ? Personne ne lit les conditions d’utilisation, moi le premier.",
  "> il ne suffit pas d’avoir une fiche\nExactement. Il faut y passer du temps, et du temps bien employé.",
  "Un billet qui tombe à pic, merci. J’en parle dans mon prochain article, avec un lien vers le vôtre.",
];

/**
 * SQL that adds `count` approved comments to a post, ids from `firstId` on. About one in four is a
 * reply (depth 1) to a recent top-level comment, so pages hold threads, not only flat lists.
 */
export function growthSql(opts: { slug: string; firstId: number; count: number; startMs: number }): string {
  const statements: string[] = [];
  let rows: string[] = [];
  let lastRoot: number | null = null;
  for (let i = 0; i < opts.count; i++) {
    const id = opts.firstId + i;
    const reply = lastRoot !== null && i % 4 === 3;
    const content = `${PHRASES[i % PHRASES.length]}\n\n(commentaire de charge n° ${id})`;
    const created = opts.startMs + i * 1000;
    rows.push(
      `(${[
        id,
        q(opts.slug),
        reply ? lastRoot : null,
        reply ? lastRoot : null,
        reply ? 1 : 0,
        q(`Lecteur ${id % 997}`),
        null,
        i % 3 === 0 ? q(`https://example.org/lecteur-${id % 997}`) : null,
        q(content),
        q(renderCommentHtml(content)),
        q("approved"),
        created,
        created,
      ]
        .map((v) => (typeof v === "string" ? v : v === null ? "NULL" : String(v)))
        .join(", ")})`,
    );
    if (!reply) lastRoot = id;
    if (rows.length === 200) {
      statements.push(insert(rows));
      rows = [];
    }
  }
  if (rows.length) statements.push(insert(rows));
  return `${statements.join("\n")}\n`;
}

function insert(rows: string[]): string {
  return `INSERT INTO comments (id, post_slug, parent_id, root_id, depth, author_name, author_email, author_url, content, html, status, created_at, updated_at) VALUES\n${rows.join(",\n")};`;
}
