-- Every change readers can see bumps the post's version: a comment that is, or was, approved is
-- written, or removed. Caches key on the version. It is random (within JavaScript's safe
-- integers) rather than counted, so it never comes back to an old value, even after a restore.
CREATE TRIGGER `comments_version_insert` AFTER INSERT ON `comments` WHEN NEW.status = 'approved'
BEGIN
  INSERT INTO `post_versions` (`post_slug`, `version`) VALUES (NEW.post_slug, random() % 9007199254740991)
    ON CONFLICT (`post_slug`) DO UPDATE SET `version` = excluded.version;
END;--> statement-breakpoint
CREATE TRIGGER `comments_version_update` AFTER UPDATE ON `comments` WHEN OLD.status = 'approved' OR NEW.status = 'approved'
BEGIN
  INSERT INTO `post_versions` (`post_slug`, `version`) VALUES (NEW.post_slug, random() % 9007199254740991)
    ON CONFLICT (`post_slug`) DO UPDATE SET `version` = excluded.version;
END;--> statement-breakpoint
CREATE TRIGGER `comments_version_delete` AFTER DELETE ON `comments` WHEN OLD.status = 'approved'
BEGIN
  INSERT INTO `post_versions` (`post_slug`, `version`) VALUES (OLD.post_slug, random() % 9007199254740991)
    ON CONFLICT (`post_slug`) DO UPDATE SET `version` = excluded.version;
END;
