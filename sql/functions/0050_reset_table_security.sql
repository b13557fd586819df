/*
  Each sql/policies/ file is the whole security declaration of its table: it starts
  by calling this, which drops every policy on the table and revokes every privilege
  of the API roles (on the table and its sequences), then declares policies and grants again. A policy or grant
  deleted from the file therefore disappears from the database on the next `up`.
*/
create or replace function app_private.reset_table_security(tbl regclass)
returns void
language plpgsql
set search_path = ''
as $$
declare
    pol record;
    seq record;
begin
    for pol in select p.polname from pg_catalog.pg_policy as p where p.polrelid = tbl loop
        execute pg_catalog.format('drop policy %I on %s', pol.polname, tbl);
    end loop;
    execute pg_catalog.format('revoke all on table %s from public, anon, authenticated, service_role', tbl);
    -- Its identity/serial sequences too (S-RLS-9): inserts never need a privilege on them.
    for seq in
        select d.objid::regclass as oid from pg_catalog.pg_depend as d
        where d.classid = 'pg_catalog.pg_class'::regclass and d.refobjid = tbl and d.deptype in ('a', 'i')
          and (select c.relkind from pg_catalog.pg_class as c where c.oid = d.objid) = 'S'
    loop
        execute pg_catalog.format('revoke all on sequence %s from public, anon, authenticated, service_role', seq.oid);
    end loop;
    execute pg_catalog.format('alter table %s enable row level security', tbl);
end
$$;
comment on function app_private.reset_table_security(regclass) is
'Deploy helper: drops all policies of a table and revokes the API roles'' privileges, before its policy file re-declares them.';
revoke all on function app_private.reset_table_security(regclass) from public, anon, authenticated, service_role;
