-- Privileges of the Finsam application role. Run as the owner (or a superuser) after EVERY
-- `finsam migrate` (new tables), with the same psql variables as postgresql-roles.sql:
--   psql -v owner=finsam_owner -v app=finsam_app -d finsam -f scripts/postgresql-grants.sql
-- Idempotent.

\set ON_ERROR_STOP on

-- Application tables: read and write rows; never TRUNCATE, REFERENCES, TRIGGER or DDL.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :app;

-- The audit log: append and read only (its triggers refuse UPDATE, DELETE and TRUNCATE even for
-- the owner; only the owner or a superuser could drop them, and the app is neither).
REVOKE ALL ON audit_auditlog FROM :app;
GRANT SELECT, INSERT ON audit_auditlog TO :app;

-- The migration history is the owner's business.
REVOKE ALL ON django_migrations FROM :app;
GRANT SELECT ON django_migrations TO :app;
