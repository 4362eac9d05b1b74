-- Search (workers/db/search.ts): one full-text index of the posts and the approved comments, so
-- that both are ranked on one scale (bm25: title ≫ tags > summary > text). Accents and case are
-- folded ("reseaux" finds "Réseaux"); two- and three-letter prefix indexes keep "rés*" quick.
--
-- The posts' searchable text, one row a post or page, written by `npm start`, `npm run deploy` and
-- the import from the build's build/search-posts.sql (scripts/search-index.ts). Its ids are
-- negative, so that in the index a post (id < 0) is never taken for a comment (its id, > 0).
-- `hash` says which version of the post the row holds: loading the same build again writes nothing.
CREATE TABLE `search_post_texts` (
  `id` integer PRIMARY KEY,
  `slug` text NOT NULL,
  `url` text NOT NULL,
  `title` text NOT NULL,
  `tags` text NOT NULL,
  `summary` text NOT NULL,
  `body` text NOT NULL,
  `hash` text NOT NULL
);--> statement-breakpoint
CREATE UNIQUE INDEX `search_post_texts_slug` ON `search_post_texts` (`slug`);--> statement-breakpoint
-- What the index holds, as one table: the posts, and the approved comments (their text as the
-- body). The index stores only its own index; snippets read the text from here, and FTS5's
-- 'rebuild' command would re-make the index from it exactly.
CREATE VIEW `search_documents` AS
  SELECT `id` AS `doc`, `title`, `tags`, `summary`, `body` FROM `search_post_texts`
  UNION ALL
  SELECT `id` AS `doc`, '' AS `title`, '' AS `tags`, '' AS `summary`, `content` AS `body` FROM `comments` WHERE `status` = 'approved';--> statement-breakpoint
CREATE VIRTUAL TABLE `search_index` USING fts5(
  `title`, `tags`, `summary`, `body`,
  content = 'search_documents', content_rowid = 'doc',
  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);--> statement-breakpoint
INSERT INTO `search_index` (rowid, `title`, `tags`, `summary`, `body`) SELECT `id`, '', '', '', `content` FROM `comments` WHERE `status` = 'approved';--> statement-breakpoint
CREATE TRIGGER `search_post_texts_insert` AFTER INSERT ON `search_post_texts`
BEGIN
  INSERT INTO `search_index` (rowid, `title`, `tags`, `summary`, `body`) VALUES (NEW.id, NEW.title, NEW.tags, NEW.summary, NEW.body);
END;--> statement-breakpoint
CREATE TRIGGER `search_post_texts_update` AFTER UPDATE ON `search_post_texts`
BEGIN
  INSERT INTO `search_index` (`search_index`, rowid, `title`, `tags`, `summary`, `body`) VALUES ('delete', OLD.id, OLD.title, OLD.tags, OLD.summary, OLD.body);
  INSERT INTO `search_index` (rowid, `title`, `tags`, `summary`, `body`) VALUES (NEW.id, NEW.title, NEW.tags, NEW.summary, NEW.body);
END;--> statement-breakpoint
CREATE TRIGGER `search_post_texts_delete` AFTER DELETE ON `search_post_texts`
BEGIN
  INSERT INTO `search_index` (`search_index`, rowid, `title`, `tags`, `summary`, `body`) VALUES ('delete', OLD.id, OLD.title, OLD.tags, OLD.summary, OLD.body);
END;--> statement-breakpoint
-- Comments: only approved ones are in the index. These triggers follow every change of status or
-- text in the statement that makes it, whatever code makes it (moderation, bulk, purge, erase,
-- import, a console): the index costs a moderation no statement of its own.
CREATE TRIGGER `search_comments_insert` AFTER INSERT ON `comments` WHEN NEW.status = 'approved'
BEGIN
  INSERT INTO `search_index` (rowid, `title`, `tags`, `summary`, `body`) VALUES (NEW.id, '', '', '', NEW.content);
END;--> statement-breakpoint
-- A change that leaves an approved comment's text as it was (approving it again) changes nothing.
CREATE TRIGGER `search_comments_update` AFTER UPDATE OF `status`, `content` ON `comments`
  WHEN (OLD.status = 'approved') != (NEW.status = 'approved') OR (NEW.status = 'approved' AND OLD.content IS NOT NEW.content)
BEGIN
  INSERT INTO `search_index` (`search_index`, rowid, `title`, `tags`, `summary`, `body`) SELECT 'delete', OLD.id, '', '', '', OLD.content WHERE OLD.status = 'approved';
  INSERT INTO `search_index` (rowid, `title`, `tags`, `summary`, `body`) SELECT NEW.id, '', '', '', NEW.content WHERE NEW.status = 'approved';
END;--> statement-breakpoint
CREATE TRIGGER `search_comments_delete` AFTER DELETE ON `comments` WHEN OLD.status = 'approved'
BEGIN
  INSERT INTO `search_index` (`search_index`, rowid, `title`, `tags`, `summary`, `body`) VALUES ('delete', OLD.id, '', '', '', OLD.content);
END;
