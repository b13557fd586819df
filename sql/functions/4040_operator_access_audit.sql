/*
  Operator access is logged (seed 000: support access only; DPIA incident handling). The
  server's pgaudit extension writes an AUDIT line to the server log for every statement
  that reads a table on which the audit role (pgaudit.role = 'dgskills_auditor') holds
  SELECT: pgaudit's object audit. This file gives that role SELECT on every table about
  users (the catalog's foreign keys to users, and users itself), so a table added later is
  audited without anyone remembering. The role cannot log in and has no members: the
  grants only mark what is audited.

  pgaudit object audit does not depend on who reads: reads by service_role, by a DBA and
  by the API roles all leave a line (superset of what the DPIA asks). The server settings
  (shared_preload_libraries, pgaudit.role) are the server's: the embedded cluster sets
  them; README, "Operator access", says how for other servers. verify warns
  (operator_access_not_audited) when pgaudit is not loaded or a table is not covered.
*/
do $$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'dgskills_auditor') then
        create role dgskills_auditor nologin;
    end if;
end
$$;
comment on role dgskills_auditor is
'pgaudit object-audit role (pgaudit.role): every table it may SELECT is audited. Nobody logs in as it.';

create or replace function app_private.audited_tables()
returns setof regclass
language sql stable
set search_path = ''
as $$
    select distinct ur.tbl from app_private.user_references() as ur
    union
    select 'public.users'::regclass
$$;
comment on function app_private.audited_tables() is
'The tables about users whose reads pgaudit must log (object audit through dgskills_auditor).';
revoke all on function app_private.audited_tables() from public, anon, authenticated, service_role;

do $$
declare
    t regclass;
begin
    -- a partitioned table's partitions too (app_partitions): an operator reading one directly is logged
    for t in
        select a.t from app_private.audited_tables() as a (t)
        union
        select p.relid from app_private.audited_tables() as a (t)
        cross join lateral pg_catalog.pg_partition_tree(a.t) as p
        where p.isleaf
    loop
        execute pg_catalog.format('grant select on %s to dgskills_auditor', t);
    end loop;
end
$$;
