-- History is never rewritten: events are append-only and tickets are never deleted.
CREATE TRIGGER `ticket_events_no_update` BEFORE UPDATE ON `ticket_events`
BEGIN
	SELECT RAISE(ABORT, 'ticket_events is append-only: events cannot be changed');
END;
--> statement-breakpoint
CREATE TRIGGER `ticket_events_no_delete` BEFORE DELETE ON `ticket_events`
BEGIN
	SELECT RAISE(ABORT, 'ticket_events is append-only: events cannot be deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `tickets_no_delete` BEFORE DELETE ON `tickets`
BEGIN
	SELECT RAISE(ABORT, 'tickets are never deleted: resolve them instead');
END;
--> statement-breakpoint
CREATE TRIGGER `tickets_no_reopen` BEFORE UPDATE OF `status` ON `tickets`
WHEN OLD.status = 'resolved' AND NEW.status <> 'resolved'
BEGIN
	SELECT RAISE(ABORT, 'a resolved ticket cannot be reopened: a recurrence opens a new ticket');
END;
