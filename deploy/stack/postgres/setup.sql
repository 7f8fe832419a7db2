-- Applied by `vaxflow stack up` to FerretDB's database before FerretDB starts; safe to repeat.
--
-- FerretDB 1.24 keeps each collection as a table with one jsonb column, `_jsonb`, and turns
-- each MongoDB index into a btree index on expressions such as `(_jsonb -> 'field')`. Its
-- queries, though, filter by containment, `_jsonb -> 'field' @> '"value"'` (so that a value
-- also matches inside an array), which a btree index cannot serve: every lookup, even by
-- `_id`, read the whole table, and updates slowed down as collections grew (27 ms per lookup
-- at 30,000 documents). This trigger gives every btree index FerretDB creates on top-level
-- fields a GIN twin on the same expressions. GIN's `jsonb_path_ops` operator class serves `@>`
-- (0.1 ms per lookup at 30,000 documents) and costs writes less than the default class (each
-- update rewrites every index entry of the document, since all indexes are on `_jsonb`);
-- docs/benchmarks.md has the figures.
--
-- The server runs with plan_cache_mode=force_custom_plan: FerretDB passes the field name as a
-- bind parameter, and only a plan made for the actual value matches the index expression.

SET client_min_messages = warning;

CREATE OR REPLACE FUNCTION vaxflow_gin_twin() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
    created record;
    expressions text[];
    expression text;
BEGIN
    FOR created IN
        SELECT i.indexrelid, i.indrelid::regclass AS target, i.indnatts, c.relname
        FROM pg_event_trigger_ddl_commands() AS d
        JOIN pg_index AS i ON i.indexrelid = d.objid
        JOIN pg_class AS c ON c.oid = i.indexrelid
        JOIN pg_am AS a ON a.oid = c.relam
        WHERE d.command_tag = 'CREATE INDEX' AND a.amname = 'btree'
    LOOP
        expressions := ARRAY[]::text[];
        FOR position IN 1 .. created.indnatts LOOP
            expression := pg_get_indexdef(created.indexrelid, position, true);
            -- top-level fields only: `(_jsonb -> 'name'::text)`
            IF expression !~ '^\(_jsonb -> ''[^'']+''::text\)$' THEN
                expressions := NULL;
                EXIT;
            END IF;
            expressions := expressions || format('(%s) jsonb_path_ops', expression);
        END LOOP;
        CONTINUE WHEN expressions IS NULL OR cardinality(expressions) = 0;
        EXECUTE format(
            'CREATE INDEX IF NOT EXISTS %I ON %s USING gin (%s)',
            'gin_' || md5(created.indexrelid::regclass::text),
            created.target,
            array_to_string(expressions, ', ')
        );
    END LOOP;
END;
$$;

DROP EVENT TRIGGER IF EXISTS vaxflow_gin_twin;
CREATE EVENT TRIGGER vaxflow_gin_twin ON ddl_command_end
    WHEN TAG IN ('CREATE INDEX')
    EXECUTE FUNCTION vaxflow_gin_twin();
