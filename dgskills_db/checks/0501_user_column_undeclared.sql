-- S-RPC-4, S-DATA-1: every foreign key to users is declared `about` (the row is about the
-- user: exported whole, erased with the account, on delete cascade) or `actor` (the user
-- only acted: kept without the name, on delete set null) in
-- dgskills_db/declarations/user_columns.toml, deployed as app_private.declared_user_columns();
-- and the declaration matches the delete action the schema really has (a key that
-- blocks deletion altogether is user_fk_blocks_delete's finding).
select
    'user_column_undeclared' as name,
    'ERROR' as level,
    pg_catalog.format('%s.%I', ur.tbl, ur.col) as object,
    case
        when ur.kind is null then 'references users but is declared neither about nor actor'
        else pg_catalog.format(
            'declared %s but on delete %s', ur.kind,
            case ur.on_delete when 'c' then 'cascade' when 'n' then 'set null' else ur.on_delete end
        )
    end as detail,
    case
        when ur.kind is null
            then 'declare it in dgskills_db/declarations/user_columns.toml and run python -m dgskills_db.declarations'
        else 'about columns cascade, actor columns set null: fix the foreign key or the declaration'
    end as remediation
from app_private.user_references() as ur
where
    ur.tbl <> 'public.users'::regclass
    and (
        ur.kind is null
        or (ur.kind = 'about' and ur.on_delete = 'n')
        or (ur.kind = 'actor' and ur.on_delete = 'c')
    )
