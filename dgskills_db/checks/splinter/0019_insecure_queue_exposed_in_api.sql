/* splinter 0019 insecure_queue_exposed_in_api (ERROR, EXTERNAL, SECURITY).
   Supabase Queues (pgmq) keep each queue in a table pgmq.q_<queue>. Once the pgmq_public
   schema is exposed to the Data API, a queue table that anon or authenticated may select
   without row-level security lets any client read (and, with more grants, alter) every message
   of that queue. */
select
    'insecure_queue_exposed_in_api' as name,
    'ERROR' as level,
    n.nspname || '.' || c.relname as object,
    format('queue table selectable by %s without row-level security while pgmq_public is exposed to the API',
           pg_catalog.array_to_string(array_remove(array[
               case when pg_catalog.has_table_privilege('anon', c.oid, 'SELECT') then 'anon' end,
               case when pg_catalog.has_table_privilege('authenticated', c.oid, 'SELECT') then 'authenticated' end
           ], null), ' and ')) as detail,
    format('alter table %I.%I enable row level security, with policies for who may read the queue '
           '(or revoke select from anon, authenticated)', n.nspname, c.relname) as remediation
from pg_catalog.pg_class as c
inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where
    n.nspname = 'pgmq'
    and c.relname like 'q\_%'
    and c.relkind in ('r', 'p')
    and not c.relrowsecurity
    and (pg_catalog.has_table_privilege('anon', c.oid, 'SELECT')
         or pg_catalog.has_table_privilege('authenticated', c.oid, 'SELECT'))
    and 'pgmq_public' in (
        select pg_catalog.btrim(s)
        from pg_catalog.string_to_table(pg_catalog.current_setting('pgrst.db_schemas', true), ',') as s
    )
