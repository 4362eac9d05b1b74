-- A pin or an unpin changes what readers see: the post's version is replaced, as the triggers of
-- 0005 do for comments, so every cached page and list of the post is made again.
CREATE TRIGGER `pins_version_insert` AFTER INSERT ON `pins`
BEGIN
  INSERT INTO `post_versions` (`post_slug`, `version`) VALUES (NEW.post_slug, random() % 9007199254740991)
    ON CONFLICT (`post_slug`) DO UPDATE SET `version` = excluded.version;
END;--> statement-breakpoint
CREATE TRIGGER `pins_version_delete` AFTER DELETE ON `pins`
BEGIN
  INSERT INTO `post_versions` (`post_slug`, `version`) VALUES (OLD.post_slug, random() % 9007199254740991)
    ON CONFLICT (`post_slug`) DO UPDATE SET `version` = excluded.version;
END;--> statement-breakpoint
-- A comment removed for good takes its readers' marks (who they were) and its pin with it.
CREATE TRIGGER `comments_purged_reactions` AFTER UPDATE OF `status` ON `comments` WHEN NEW.status = 'purged'
BEGIN
  DELETE FROM `reactions` WHERE `comment_id` = NEW.id;
END;--> statement-breakpoint
CREATE TRIGGER `comments_deleted_reactions` AFTER DELETE ON `comments`
BEGIN
  DELETE FROM `reactions` WHERE `comment_id` = OLD.id;
  DELETE FROM `pins` WHERE `thread_id` = OLD.id;
END;
