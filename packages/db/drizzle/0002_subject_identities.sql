CREATE TABLE `subject_identities` (
	`subject` text PRIMARY KEY NOT NULL,
	`identity` text NOT NULL,
	`pending` text,
	`updated_at` integer NOT NULL
);
