-- The spam filter describes comments with one more kind of feature (workers/spam/classifier.ts:
-- the shapes of words mixing letters and digits, "fr33" → mixed:a9). Counts made with the old
-- description would mix with the new one: the filter forgets them. Each comment keeps what it
-- taught (trained_as), and `npm run deploy` then rebuilds the counts from those decisions with the
-- new description (`npm run spam:train -- --rebuild` by hand, locally). Until then the filter has
-- learned nothing, so it files and holds nothing: the moderation policy alone decides.
-- The row " rebuild" (no comment has a feature starting with a space) asks for that rebuild, which
-- removes it: a decision taken meanwhile cannot make the memory look rebuilt.
DELETE FROM `spam_features`;--> statement-breakpoint
INSERT INTO `spam_features` (`feature`, `spam`, `ham`) VALUES (' rebuild', 1, 1);
