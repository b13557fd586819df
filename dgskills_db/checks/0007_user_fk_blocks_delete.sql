-- S-DATA-1: a foreign key to users that is neither cascade nor set null blocks deleting a user (Art. 17).
select
    'user_fk_blocks_delete' as name,
    'ERROR' as level,
    format('%s.%s', c.conrelid::regclass, c.conname) as object,
    format('on delete %s: deleting a user fails or leaves rows behind',
        case c.confdeltype when 'a' then 'no action' when 'r' then 'restrict' when 'd' then 'set default' end
    ) as detail,
    'make it on delete cascade (the row is about the user) or on delete set null (the user is a bystander)'
    as remediation
from pg_catalog.pg_constraint as c
where
    c.contype = 'f' and c.confrelid = 'public.users'::regclass and c.confdeltype not in ('c', 'n')
    and c.conparentid = 0
