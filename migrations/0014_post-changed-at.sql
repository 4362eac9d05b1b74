-- When what readers see of a post last changed (the sitemap's lastmod): set whenever its version is
-- (the triggers of 0005 replace the version on every change readers can see), in milliseconds.
-- Until then, the date its latest approved comment was written or decided.
UPDATE `post_versions` SET `changed_at` = (
  SELECT max(`updated_at`) FROM `comments` WHERE `comments`.`post_slug` = `post_versions`.`post_slug` AND `status` = 'approved'
);--> statement-breakpoint
CREATE TRIGGER `post_versions_changed_insert` AFTER INSERT ON `post_versions`
BEGIN
  UPDATE `post_versions` SET `changed_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE `post_slug` = NEW.post_slug;
END;--> statement-breakpoint
CREATE TRIGGER `post_versions_changed_update` AFTER UPDATE OF `version` ON `post_versions`
BEGIN
  UPDATE `post_versions` SET `changed_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE `post_slug` = NEW.post_slug;
END;
