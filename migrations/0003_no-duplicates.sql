DROP INDEX `comments_post_author`;--> statement-breakpoint
ALTER TABLE `comments` ADD `content_hash` text;--> statement-breakpoint
CREATE UNIQUE INDEX `comments_no_duplicates` ON `comments` (`post_slug`,`content_hash`) WHERE "comments"."status" != 'deleted';