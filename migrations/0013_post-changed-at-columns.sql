ALTER TABLE `post_versions` ADD `changed_at` integer;--> statement-breakpoint
CREATE INDEX `comments_status_created` ON `comments` (`status`,`created_at`,`id`);