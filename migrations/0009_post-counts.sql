-- What readers see of each post, kept by the database as its comments change: approved comments,
-- and threads that hold one (a thread leaves the count when its last approved comment goes).
-- Row triggers run as each row changes, so a bulk change counts each thread once.
INSERT INTO `post_versions` (`post_slug`, `version`, `approved`, `threads`)
  SELECT `post_slug`, random() % 9007199254740991, count(*), count(DISTINCT `thread_id`) FROM `comments` WHERE `status` = 'approved' GROUP BY `post_slug`
  ON CONFLICT (`post_slug`) DO UPDATE SET `approved` = excluded.approved, `threads` = excluded.threads;--> statement-breakpoint
CREATE TRIGGER `comments_counts_insert` AFTER INSERT ON `comments` WHEN NEW.status = 'approved'
BEGIN
  INSERT INTO `post_versions` (`post_slug`, `version`) VALUES (NEW.post_slug, random() % 9007199254740991) ON CONFLICT (`post_slug`) DO NOTHING;
  UPDATE `post_versions` SET `approved` = `approved` + 1,
    `threads` = `threads` + (NOT EXISTS (SELECT 1 FROM `comments` WHERE `post_slug` = NEW.post_slug AND `status` = 'approved' AND `thread_id` = NEW.thread_id AND `id` != NEW.id))
  WHERE `post_slug` = NEW.post_slug;
END;--> statement-breakpoint
CREATE TRIGGER `comments_counts_approved` AFTER UPDATE OF `status` ON `comments` WHEN OLD.status != 'approved' AND NEW.status = 'approved'
BEGIN
  INSERT INTO `post_versions` (`post_slug`, `version`) VALUES (NEW.post_slug, random() % 9007199254740991) ON CONFLICT (`post_slug`) DO NOTHING;
  UPDATE `post_versions` SET `approved` = `approved` + 1,
    `threads` = `threads` + (NOT EXISTS (SELECT 1 FROM `comments` WHERE `post_slug` = NEW.post_slug AND `status` = 'approved' AND `thread_id` = NEW.thread_id AND `id` != NEW.id))
  WHERE `post_slug` = NEW.post_slug;
END;--> statement-breakpoint
CREATE TRIGGER `comments_counts_unapproved` AFTER UPDATE OF `status` ON `comments` WHEN OLD.status = 'approved' AND NEW.status != 'approved'
BEGIN
  UPDATE `post_versions` SET `approved` = `approved` - 1,
    `threads` = `threads` - (NOT EXISTS (SELECT 1 FROM `comments` WHERE `post_slug` = OLD.post_slug AND `status` = 'approved' AND `thread_id` = OLD.thread_id AND `id` != OLD.id))
  WHERE `post_slug` = OLD.post_slug;
END;--> statement-breakpoint
CREATE TRIGGER `comments_counts_delete` AFTER DELETE ON `comments` WHEN OLD.status = 'approved'
BEGIN
  UPDATE `post_versions` SET `approved` = `approved` - 1,
    `threads` = `threads` - (NOT EXISTS (SELECT 1 FROM `comments` WHERE `post_slug` = OLD.post_slug AND `status` = 'approved' AND `thread_id` = OLD.thread_id AND `id` != OLD.id))
  WHERE `post_slug` = OLD.post_slug;
END;
