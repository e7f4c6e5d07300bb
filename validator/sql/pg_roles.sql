-- govgate audit log roles for PostgreSQL (run after pg_schema.sql, by the
-- database owner or a superuser; idempotent). Roles are cluster-wide: a
-- role another database of the cluster created is reused, and only this
-- database's grants are added. The three are group roles (NOLOGIN); give
-- them to login roles: CREATE ROLE ci_runner LOGIN IN ROLE govgate_writer.
--
--   govgate_writer        appends: SELECT, and INSERT on the log and replica
--                         tables; no UPDATE, DELETE, TRUNCATE or DDL
--   govgate_checkpointer  signs checkpoints: SELECT, INSERT on checkpoint
--   govgate_auditor       reads: SELECT only
DO $$
DECLARE r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['govgate_writer', 'govgate_checkpointer', 'govgate_auditor'] LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN', r);
		END IF;
	END LOOP;
	EXECUTE format('GRANT CONNECT ON DATABASE %I TO govgate_writer, govgate_checkpointer, '
		       'govgate_auditor', current_database());
END $$;

REVOKE ALL ON govgate_meta, entry, tree_node, checkpoint, replica_key, replica_entry,
	replica_node, replica_checkpoint, replica_import FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO govgate_writer, govgate_checkpointer, govgate_auditor;
GRANT SELECT ON govgate_meta, entry, tree_node, checkpoint, replica_key, replica_entry,
	replica_node, replica_checkpoint, replica_import
	TO govgate_writer, govgate_checkpointer, govgate_auditor;
GRANT INSERT ON entry, tree_node, replica_key, replica_entry, replica_node,
	replica_checkpoint, replica_import TO govgate_writer;
GRANT USAGE ON SEQUENCE replica_key_id_seq, replica_import_id_seq TO govgate_writer;
GRANT INSERT ON checkpoint TO govgate_checkpointer;
