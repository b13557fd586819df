/*
  class_teachers (S-RLS-7): the link's school is the class's (clients send class_id and
  teacher_id), and only staff teach. The school is filled before the row-level security
  check, so a class of another school fails that check (42501); the role is checked after
  it (and after the school foreign keys), so a refused caller learns nothing about another
  school's accounts. A link to a pupil or a developer is refused with 23514.
*/
create or replace function app_private.tg_class_teacher_school()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    new.school_id := (select c.school_id from public.classes as c where c.id = new.class_id);
    return new;
end
$$;
comment on function app_private.tg_class_teacher_school() is
'class_teachers: fills school_id from the class (S-RLS-7).';

create or replace function app_private.tg_class_teacher_is_staff()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if not exists (
        select from public.users as u
        where u.id = new.teacher_id and u.school_id = new.school_id and u.role in ('teacher', 'admin')
    ) then
        raise exception using errcode = '23514', message = 'only a teacher or school admin of the class''s school teaches a class';
    end if;
    return null;
end
$$;
comment on function app_private.tg_class_teacher_is_staff() is
'class_teachers: the linked account is a teacher or school admin of the class''s school (23514 otherwise).';

/*
  Every change of a link is a configuration change (audit_logs, config_change), with the
  teacher as its subject: the teacher reads the entries about their own links, and they go
  with the teacher's account. A link removed because the teacher's account is being erased
  is not logged: that entry would keep the erased teacher's id (S-RPC-5).
*/
create or replace function app_private.tg_class_teacher_audit()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_row public.class_teachers := case when tg_op = 'DELETE' then old else new end;
begin
    if not exists (select from public.users as u where u.id = v_row.teacher_id) then
        return null;
    end if;
    insert into public.audit_logs (action, actor_id, subject_id, school_id, metadata)
    values (
        'config_change',
        (select u.id from public.users as u where u.id = (select auth.uid())),
        v_row.teacher_id,
        (select s.id from public.schools as s where s.id = v_row.school_id),
        pg_catalog.jsonb_build_object(
            'table', tg_table_name, 'operation', pg_catalog.lower(tg_op),
            'old', case when tg_op <> 'INSERT' then pg_catalog.to_jsonb(old) end,
            'new', case when tg_op <> 'DELETE' then pg_catalog.to_jsonb(new) end,
            'by_role', pg_catalog.current_setting('role', true)
        )
    );
    return null;
end
$$;
comment on function app_private.tg_class_teacher_audit() is
'class_teachers: logs each change as config_change about the teacher (S-RPC-3); not when the teacher''s account is being erased.';

revoke all on function
app_private.tg_class_teacher_school(),
app_private.tg_class_teacher_is_staff(),
app_private.tg_class_teacher_audit()
from public, anon, authenticated, service_role;
