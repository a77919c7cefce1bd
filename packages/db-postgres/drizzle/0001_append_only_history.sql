-- History is never rewritten: events are append-only and tickets are never deleted or reopened.
CREATE FUNCTION operator_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ticket_events_no_update BEFORE UPDATE ON ticket_events
FOR EACH ROW EXECUTE FUNCTION operator_refuse('ticket_events is append-only: events cannot be changed');
--> statement-breakpoint
CREATE TRIGGER ticket_events_no_delete BEFORE DELETE ON ticket_events
FOR EACH ROW EXECUTE FUNCTION operator_refuse('ticket_events is append-only: events cannot be deleted');
--> statement-breakpoint
CREATE TRIGGER ticket_events_no_truncate BEFORE TRUNCATE ON ticket_events
FOR EACH STATEMENT EXECUTE FUNCTION operator_refuse('ticket_events is append-only: events cannot be deleted');
--> statement-breakpoint
CREATE TRIGGER tickets_no_delete BEFORE DELETE ON tickets
FOR EACH ROW EXECUTE FUNCTION operator_refuse('tickets are never deleted: resolve them instead');
--> statement-breakpoint
CREATE TRIGGER tickets_no_reopen BEFORE UPDATE OF status ON tickets
FOR EACH ROW WHEN (OLD.status = 'resolved' AND NEW.status <> 'resolved')
EXECUTE FUNCTION operator_refuse('a resolved ticket cannot be reopened: a recurrence opens a new ticket');
