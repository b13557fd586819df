/* splinter 0021 fkey_to_auth_unique (ERROR, EXTERNAL, SECURITY).
   A foreign key of ours that points at a unique column of a table in the auth schema (say
   auth.users.email) other than its primary key ties our data to a constraint Supabase Auth owns
   and may change or drop in an upgrade; and the referenced value (an e-mail address) is one the
   user can change. Reference auth tables by their primary key. Found: foreign keys whose
   referenced index is unique but not the primary key, on a table in schema auth. */
select
    'fkey_to_auth_unique' as name,
    'ERROR' as level,
    n.nspname || '.' || c.relname as object,
    format('foreign key %I references %s through its unique index %s, not its primary key',
           k.conname, k.confrelid::pg_catalog.regclass, k.conindid::pg_catalog.regclass) as detail,
    format('alter table %I.%I drop constraint %I; reference the primary key (id) instead',
           n.nspname, c.relname, k.conname) as remediation
from pg_catalog.pg_constraint as k
inner join pg_catalog.pg_class as c on k.conrelid = c.oid
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
inner join pg_catalog.pg_class as ref on k.confrelid = ref.oid
inner join pg_catalog.pg_index as i on k.conindid = i.indexrelid
where
    k.contype = 'f'
    and ref.relnamespace = (select ns.oid from pg_catalog.pg_namespace as ns where ns.nspname = 'auth')
    and i.indisunique
    and not i.indisprimary
