-- Finsam on PostgreSQL: an owner role that runs the migrations and an application role that owns
-- nothing, so the running application cannot drop or disable the audit triggers, truncate or alter
-- tables. See docs/operations.md.
--
-- Run as a superuser (or a role with CREATEROLE), once per database:
--   psql -v owner=finsam_owner -v app=finsam_app -v db=finsam \
--        -v owner_password="'…'" -v app_password="'…'" -f scripts/postgresql-roles.sql
-- Then run the migrations AS THE OWNER (DATABASE_URL=postgres://finsam_owner@…  finsam migrate),
-- then run the "after every migrate" part below again (scripts/postgresql-grants.sql), and run
-- the application (gunicorn, finsam commands) AS THE APP ROLE.

\set ON_ERROR_STOP on

CREATE ROLE :owner LOGIN PASSWORD :owner_password;
CREATE ROLE :app LOGIN PASSWORD :app_password NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;

ALTER DATABASE :db OWNER TO :owner;
\connect :db
ALTER SCHEMA public OWNER TO :owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :app;   -- no CREATE: the app makes no tables

\ir postgresql-grants.sql
