-- A plain recurrence writes its three moving fields to ticket_sightings (a narrow row) instead of the
-- wide ticket row; tickets_current reads a ticket with its sighting applied. Any other update of a
-- ticket folds the sighting back first; the trigger refuses one that did not.
CREATE TABLE `ticket_sightings` (
	`ticket_id` integer PRIMARY KEY NOT NULL,
	`last_seen_at` integer NOT NULL,
	`occurrence_count` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE VIEW `tickets_current` AS SELECT
	t.`id`, t.`key`, t.`subject`, t.`invariant`, t.`entity`, t.`severity`,
	t.`status`, t.`held`, t.`flapping`, t.`silenced`, t.`message`, t.`first_seen_at`,
	coalesce(s.`last_seen_at`, t.`last_seen_at`) AS `last_seen_at`, coalesce(s.`occurrence_count`, t.`occurrence_count`) AS `occurrence_count`, t.`batch_key`, t.`previous_ticket_id`, t.`first_values`, t.`last_values`,
	t.`runbook`, t.`diagnosis`, t.`acknowledged_at`, t.`acknowledged_by`, t.`resolved_at`, t.`resolved_by`,
	t.`created_at`, coalesce(s.`updated_at`, t.`updated_at`) AS `updated_at`
FROM `tickets` t LEFT JOIN `ticket_sightings` s ON s.`ticket_id` = t.`id`;
--> statement-breakpoint
CREATE TRIGGER `tickets_fold_sightings_first` BEFORE UPDATE OF `last_seen_at`, `occurrence_count`, `updated_at` ON `tickets`
WHEN EXISTS (SELECT 1 FROM `ticket_sightings` WHERE `ticket_id` = OLD.`id`)
BEGIN
	SELECT RAISE(ABORT, 'ticket_sightings holds newer values for this ticket: fold them before updating it');
END;
