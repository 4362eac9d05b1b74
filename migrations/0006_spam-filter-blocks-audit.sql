CREATE TABLE `audit` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`comment_ids` text,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `audit_at` ON `audit` (`at`);--> statement-breakpoint
CREATE TABLE `blocks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`until` integer,
	`reason` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `blocks_kind_value` ON `blocks` (`kind`,`value`);--> statement-breakpoint
CREATE TABLE `spam_features` (
	`feature` text PRIMARY KEY NOT NULL,
	`spam` integer DEFAULT 0 NOT NULL,
	`ham` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE `comments` ADD `spam_score` real;--> statement-breakpoint
ALTER TABLE `comments` ADD `spam_reasons` text;--> statement-breakpoint
ALTER TABLE `comments` ADD `trained_as` text;--> statement-breakpoint
CREATE INDEX `comments_created` ON `comments` (`created_at`);