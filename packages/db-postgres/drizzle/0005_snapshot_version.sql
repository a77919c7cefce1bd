-- A change marker for what a cycle reads (key states, unresolved tickets, identities): every
-- statement that writes one of those tables moves it, whoever runs it. A store caches its snapshot
-- between cycles and reads it again only when the marker is not the one its own last cycle left.
CREATE TABLE "snapshot_version" (
	"only" boolean PRIMARY KEY DEFAULT true CHECK ("only"),
	"version" bigint NOT NULL
);
--> statement-breakpoint
INSERT INTO "snapshot_version" ("only", "version") VALUES (true, 0);
--> statement-breakpoint
CREATE FUNCTION operator_bump_snapshot_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE snapshot_version SET version = version + 1;
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER tickets_snapshot_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tickets
FOR EACH STATEMENT EXECUTE FUNCTION operator_bump_snapshot_version();
--> statement-breakpoint
CREATE TRIGGER key_states_snapshot_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON key_states
FOR EACH STATEMENT EXECUTE FUNCTION operator_bump_snapshot_version();
--> statement-breakpoint
CREATE TRIGGER subject_identities_snapshot_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
ON subject_identities FOR EACH STATEMENT EXECUTE FUNCTION operator_bump_snapshot_version();
