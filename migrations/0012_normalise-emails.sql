-- Emails are stored normalised (trimmed, lower case), so that export, erase, blocks and trust find
-- every row of a commenter whatever case an import kept (Jean.Dupont@Example.org). New rows are
-- normalised by the Worker and the importers; this normalises the rows already there. Where two
-- spellings of one address collide on a unique key, the normalised row is kept.
UPDATE `comments` SET `author_email` = lower(trim(`author_email`)) WHERE `author_email` IS NOT NULL AND `author_email` <> lower(trim(`author_email`));
--> statement-breakpoint
UPDATE OR IGNORE `blocks` SET `value` = lower(trim(`value`)) WHERE `kind` = 'email' AND `value` <> lower(trim(`value`));
--> statement-breakpoint
DELETE FROM `blocks` WHERE `kind` = 'email' AND `value` <> lower(trim(`value`));
--> statement-breakpoint
UPDATE OR IGNORE `subscribers` SET `email` = lower(trim(`email`)) WHERE `email` <> lower(trim(`email`));
--> statement-breakpoint
DELETE FROM `subscribers` WHERE `email` <> lower(trim(`email`));
--> statement-breakpoint
UPDATE OR IGNORE `subscriptions` SET `email` = lower(trim(`email`)) WHERE `email` <> lower(trim(`email`));
--> statement-breakpoint
DELETE FROM `subscriptions` WHERE `email` <> lower(trim(`email`));
