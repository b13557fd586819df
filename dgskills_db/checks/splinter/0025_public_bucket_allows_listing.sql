/* splinter 0025 public_bucket_allows_listing (WARN, EXTERNAL, SECURITY).
   Files of a public Supabase Storage bucket are served by URL without any policy. A permissive
   SELECT (or ALL) policy on storage.objects for PUBLIC, anon or authenticated that admits all
   of the bucket's objects adds one thing only: any client can list every file in the bucket.
   "All of the bucket" is a policy without USING, one whose USING is plainly true (or 1 = 1), or
   one whose USING is nothing but bucket_id = '<this bucket>'; USING is compared as PostgreSQL
   deparses it. storage.buckets is read through query_to_xml so this query also runs where
   Storage is not installed (it then finds nothing). */
with public_bucket as (
    select b.id, b.name
    from xmltable(
        '/table/row'
        passing pg_catalog.query_to_xml(
            case when pg_catalog.to_regclass('storage.buckets') is null
                then 'select null::text as id, null::text as name where false'
                else 'select id::text, name::text from storage.buckets where public'
            end, false, false, '')
        columns id text path 'id', name text path 'name'
    ) as b
),

listing_policy as (
    select
        p.polname,
        pg_catalog.pg_get_expr(p.polqual, p.polrelid) as using_expr
    from pg_catalog.pg_policy as p
    where
        p.polrelid = pg_catalog.to_regclass('storage.objects')
        and p.polpermissive
        and p.polcmd in ('r', '*')
        -- 0 is PUBLIC
        and p.polroles && array[0::oid, pg_catalog.to_regrole('anon')::oid,
                                pg_catalog.to_regrole('authenticated')::oid]
)

select
    'public_bucket_allows_listing' as name,
    'WARN' as level,
    'storage.' || coalesce(b.name, b.id) as object,
    format('public bucket %s: polic%s %s on storage.objects let%s any client list all its files',
           b.id, case when count(*) = 1 then 'y' else 'ies' end,
           pg_catalog.string_agg(pg_catalog.quote_ident(l.polname), ', ' order by l.polname),
           case when count(*) = 1 then 's' else '' end) as detail,
    'drop those policies (a public bucket serves its files by URL without one), or narrow them '
    || 'to the objects a client may list' as remediation
from public_bucket as b
inner join listing_policy as l
    on l.using_expr is null
    or l.using_expr in ('true', '(1 = 1)')
    or l.using_expr in (format('(bucket_id = %L::text)', b.id), format('(bucket_id = %L)', b.id))
group by b.id, b.name
