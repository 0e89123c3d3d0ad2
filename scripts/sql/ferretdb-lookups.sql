-- Equality lookups served by an index on FerretDB v1.24's PostgreSQL handler, as on MongoDB.
--
-- FerretDB turns a filter {field: <value>} into the containment test
--   (_jsonb -> 'field') @> '<value>'
-- which the btree indexes FerretDB creates on (_jsonb -> 'field') cannot serve: every find, update or
-- delete by _id (or by any indexed field) read the whole table: 6 ms per lookup at 3,000 documents
-- of 3 KB, growing with the collection (docs/operations.md, Known limits of FerretDB). MongoDB answers the same
-- filter from its index. This event trigger gives each btree index FerretDB creates in this database a
-- GIN twin on its leading field (jsonb_path_ops, which serves @>), so such lookups are an index probe.
-- FerretDB lists only the indexes it made itself, so clients never see the twins.
CREATE OR REPLACE FUNCTION ferretdb_lookup_index() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
  made record;
  lead text;
BEGIN
  FOR made IN
    SELECT c.objid AS idx, i.indrelid::regclass AS tbl
    FROM pg_event_trigger_ddl_commands() c
    JOIN pg_index i ON i.indexrelid = c.objid
    JOIN pg_class ic ON ic.oid = c.objid
    JOIN pg_am am ON am.oid = ic.relam
    WHERE c.command_tag = 'CREATE INDEX' AND am.amname = 'btree'
  LOOP
    lead := pg_get_indexdef(made.idx, 1, true);
    -- Only FerretDB's own form, one field of the document; and once per field.
    CONTINUE WHEN lead !~ '^\(?_jsonb -> ''[^'']+''::text\)?$';
    CONTINUE WHEN EXISTS (
      SELECT 1 FROM pg_index gi JOIN pg_class gc ON gc.oid = gi.indexrelid JOIN pg_am gam ON gam.oid = gc.relam
      WHERE gi.indrelid = made.tbl AND gam.amname = 'gin' AND pg_get_indexdef(gi.indexrelid, 1, true) = lead
    );
    EXECUTE format('CREATE INDEX ON %s USING gin ((%s) jsonb_path_ops)', made.tbl, lead);
  END LOOP;
END
$$;

CREATE EVENT TRIGGER ferretdb_lookup_index ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION ferretdb_lookup_index();

-- A fresh table has no statistics until autovacuum analyses it, and until then PostgreSQL's planner
-- often prefers reading the whole (small but growing) table to probing the twin: with a few hundred
-- office-hours lines, every conditional update of a line was a sequential scan (pg_stat_user_tables:
-- about one seq_scan per update). MongoDB always probes the _id index; so does FerretDB's database
-- now. Filters no index serves still scan (the setting only makes a scan the planner's last resort).
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET enable_seqscan = off', current_database()); END $$;
