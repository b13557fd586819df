/* splinter 0022 extension_versions_outdated (WARN, EXTERNAL, SECURITY).
   An installed extension whose version is not the default version of the installed package
   misses the fixes (security ones included) that `alter extension ... update` would apply.
   Installed versions the server no longer ships (left behind by pg_upgrade) are skipped: there
   is no script to update from them. */
select
    'extension_versions_outdated' as name,
    'WARN' as level,
    e.extname::text as object,
    format('installed version %s, the server ships %s', e.extversion, a.default_version) as detail,
    format('alter extension %I update', e.extname) as remediation
from pg_catalog.pg_extension as e
inner join pg_catalog.pg_available_extensions as a on e.extname = a.name
where
    a.default_version is not null
    and e.extversion <> a.default_version
    and exists (
        select from pg_catalog.pg_available_extension_versions as v
        where v.name = e.extname and v.version = e.extversion
    )
