/*
  Identity helpers for the policies (S-RLS-4, S-RLS-5).

  All are stable, security definer with an empty search_path: they read public.users
  as its owner, so a policy on one table never recurses through the policies of
  users. The platform role comes from public.users.role, never from JWT metadata.

  Policies call them wrapped, `(select app_private.f())`, so the planner evaluates them
  once per statement (an initPlan), and the set helpers return arrays so that a policy
  reads `user_id = any (...)` and can use the user_id index. They are PL/pgSQL, not SQL:
  a SECURITY DEFINER SQL function is never inlined and re-plans its query on every call,
  while PL/pgSQL keeps the plan for the session (PostgREST's pooled connections).

  app_private is not exposed by the API (PostgREST db-schemas); authenticated needs
  USAGE and EXECUTE only because policies run with the caller's privileges. So each
  helper answers a direct call too: a set only staff may know (who is restricted) is
  empty unless the caller is staff, and no helper names a user beyond the caller's
  school_directory() (tests/rls/test_helper_disclosure.py).
*/
grant usage on schema app_private to authenticated, service_role;

/*
  The signed-in user's id, as auth.uid(), but a token whose sub is not a uuid is "not
  signed in" (28000) instead of PostgreSQL's 22P02 from the cast: the one mapping every
  RPC uses (directly, or through app_private.caller()). Null when there is no sub.
*/
create or replace function app_private.uid()
returns uuid
language plpgsql stable
set search_path = ''
as $$
begin
    return (select auth.uid());
exception when invalid_text_representation then
    raise exception using errcode = '28000', message = 'not signed in: the token''s sub is not a user id';
end
$$;
comment on function app_private.uid() is
'auth.uid(), with a sub that is not a uuid refused as not signed in (28000); null without a sub.';

create or replace function app_private.current_school_id()
returns uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
    return (
        select u.school_id from public.users as u where u.id = (select auth.uid())
    );
end
$$;
comment on function app_private.current_school_id() is 'School of the signed-in user, or null.';

create or replace function app_private.my_role()
returns text
language plpgsql stable security definer
set search_path = ''
as $$
begin
    return (
        select u.role from public.users as u where u.id = (select auth.uid())
    );
end
$$;
comment on function app_private.my_role() is 'Platform role (public.users.role) of the signed-in user, or null.';

create or replace function public.is_teacher()
returns boolean
language plpgsql stable security definer
set search_path = ''
as $$
begin
    return (
        select coalesce(
                (select u.role in ('teacher', 'admin') from public.users as u where u.id = (select app_private.uid())),
                false
            )
    );
end
$$;
comment on function public.is_teacher() is
'RPC: true when the signed-in user is a teacher or a school admin of their school. Callable by authenticated.';

create or replace function app_private.is_admin()
returns boolean
language plpgsql stable security definer
set search_path = ''
as $$
begin
    return (
        select coalesce((select u.role = 'admin' from public.users as u where u.id = (select auth.uid())), false)
    );
end
$$;
comment on function app_private.is_admin() is 'True when the signed-in user is a school admin.';

create or replace function app_private.school_member_ids()
returns uuid[]
language plpgsql stable security definer
set search_path = ''
as $$
begin
    return (
        select coalesce(array_agg(u.id), array[]::uuid[])
            from public.users as u
            where
                u.id = (select auth.uid())
                or u.school_id = (select m.school_id from public.users as m where m.id = (select auth.uid()))
    );
end
$$;
comment on function app_private.school_member_ids() is
'The signed-in user and every member of their school (just the user for a developer).';

create or replace function app_private.school_pupil_ids()
returns uuid[]
language plpgsql stable security definer
set search_path = ''
as $$
begin
    return (
        select coalesce(array_agg(u.id), array[]::uuid[])
            from public.users as u
            where
                u.role = 'student'
                and u.school_id = (select m.school_id from public.users as m where m.id = (select auth.uid()))
    );
end
$$;
comment on function app_private.school_pupil_ids() is 'Pupils of the signed-in user''s school.';

/*
  Class scope (S-RLS-7): the one place that decides which pupils a staff member reaches. A
  school admin: every pupil of their school. A teacher: the pupils of the classes they teach
  (class_teachers; a pupil is in one class, users.class_id). Anyone else: nobody. Role and
  school are read at call time, so a link left behind by a role change reaches nothing.
  Policies call it directly, wrapped, `user_id = any((select app_private.my_pupil_ids()))`:
  one evaluation per statement, and an index scan on the policy's user column; for a
  teacher it reads class_teachers by its (teacher_id, school_id, class_id) index and users
  by users_class_id_idx. Restricted pupils are included: each policy applies the
  restriction as dgskills_db/declarations/restriction.toml declares it (S-RLS-6).
*/
create or replace function app_private.my_pupil_ids()
returns uuid[]
language plpgsql stable security definer
set search_path = ''
as $$
begin
    return (
        select coalesce(array_agg(u.id), array[]::uuid[])
            from public.users as me
            inner join public.users as u on u.school_id = me.school_id and u.role = 'student'
            where
                me.id = (select auth.uid())
                and (
                    me.role = 'admin'
                    or (
                        me.role = 'teacher'
                        and u.class_id in (
                            select ct.class_id from public.class_teachers as ct
                            where ct.teacher_id = me.id and ct.school_id = me.school_id
                        )
                    )
                )
    );
end
$$;
comment on function app_private.my_pupil_ids() is
'The pupils in the signed-in staff member''s care (S-RLS-7): a school admin, every pupil of their school; a teacher, the pupils of the classes they teach (class_teachers). Empty for pupils and developers. Restricted pupils are included: the policies apply the restriction (S-RLS-6).';

create or replace function app_private.teaches_pupil(p_pupil uuid)
returns boolean
language plpgsql stable security definer
set search_path = ''
as $$
begin
    return coalesce(p_pupil = any((select app_private.my_pupil_ids())::uuid[]), false);
end
$$;
comment on function app_private.teaches_pupil(uuid) is
'True when the pupil is in the signed-in staff member''s care (app_private.my_pupil_ids()): the class check of the RPCs.';

create or replace function app_private.classmate_ids()
returns uuid[]
language plpgsql stable security definer
set search_path = ''
as $$
begin
    return (
        select coalesce(array_agg(u.id), array[]::uuid[])
            from public.users as me
            inner join public.users as u
                on u.class_id = me.class_id and u.school_id = me.school_id and u.role = 'student'
            where me.id = (select auth.uid()) and me.role = 'student'
    );
end
$$;
comment on function app_private.classmate_ids() is
'For a pupil: the pupils of their own class, themself included (the audience of published work, S-RLS-8). Empty for anyone else and for a pupil without a class.';

-- Replaced by my_pupil_ids() and school_restricted_ids(), which the policies name (S-RLS-7).
drop function if exists app_private.tracking_user_ids();

create or replace function app_private.school_restricted_ids()
returns uuid[]
language plpgsql stable security definer
set search_path = ''
as $$
begin
    return (
        select coalesce(array_agg(u.id), array[]::uuid[])
            from public.users as u
            inner join public.users as me on me.id = (select auth.uid())
            where
                me.role in ('teacher', 'admin')
                and u.role = 'student'
                and u.processing_restricted
                and u.school_id = me.school_id
                and (
                    me.role = 'admin'
                    or u.class_id in (
                        select ct.class_id from public.class_teachers as ct
                        where ct.teacher_id = me.id and ct.school_id = me.school_id
                    )
                )
    );
end
$$;
comment on function app_private.school_restricted_ids() is
'For a school admin: the pupils of their school whose processing is restricted (S-RLS-6); for a teacher: those of the classes they teach (S-RLS-7: whether a pupil of another class restricted processing is not their business). Every policy that reads it also requires the pupil to be in the caller''s care (my_pupil_ids()). Pupils only: a staff member''s own restriction does not hide their actions (class links, audit entries) from the school admin. Empty for anyone else: a pupil does not learn which schoolmates restricted processing.';

/*
  The owners whose own-data rows (the tracking tables: activity, progress, XP, ...) the
  signed-in user reads: themself, and for a teacher or school admin the pupils in their care
  (my_pupil_ids()) whose processing is not restricted (school_restricted_ids()). One set, so
  a policy is a single `user_id = any((select app_private.own_or_care_ids()))`: one
  initPlan and one index condition on the owner column, where `user_id = uid or (in care
  and not restricted)` costs two index scans per partition (a BitmapOr) and a sort. A pupil,
  a developer or a user without a profile row gets just themself after one primary-key read
  of users, without evaluating the staff sets. A token without a sub reaches nobody; a sub
  that is not a uuid fails as auth.uid() does.
*/
create or replace function app_private.own_or_care_ids()
returns uuid[]
language plpgsql stable security definer
set search_path = ''
as $$
declare
    v_uid uuid := (select auth.uid());
    v_role text;
    v_restricted uuid[];
begin
    if v_uid is null then
        return array[]::uuid[];
    end if;
    select u.role into v_role from public.users as u where u.id = v_uid;
    if v_role is null or v_role not in ('teacher', 'admin') then
        return array[v_uid];
    end if;
    v_restricted := app_private.school_restricted_ids();
    return array[v_uid] || array(
        select p.id from unnest(app_private.my_pupil_ids()) as p (id)
        where p.id <> all(v_restricted)
    );
end
$$;
comment on function app_private.own_or_care_ids() is
'The signed-in user and, for a teacher or school admin, the pupils in their care (my_pupil_ids()) whose processing is not restricted (S-RLS-6, S-RLS-7): the owners whose own-data rows they read. Just the user for a pupil or developer; empty without a sub.';

create or replace function app_private.message_recipient_ids()
returns uuid[]
language plpgsql stable security definer
set search_path = ''
as $$
begin
    return (
        select coalesce(array_agg(u.id), array[]::uuid[])
            from public.users as u
            inner join public.users as me on me.id = (select auth.uid())
            where
                u.school_id = me.school_id
                and u.id <> me.id
                and me.role in ('student', 'teacher', 'admin')
                and (me.role in ('teacher', 'admin') or u.role in ('teacher', 'admin'))
    );
end
$$;
comment on function app_private.message_recipient_ids() is
'Whom the signed-in user may message: members of their own school, one side being staff (teacher or admin).';

create or replace function app_private.audit_hidden_subject_ids()
returns uuid[]
language plpgsql stable security definer
set search_path = ''
as $$
begin
    return (
        select coalesce(array_agg(u.id), array[]::uuid[])
            from public.users as u
            inner join public.users as me on me.id = (select auth.uid())
            where
                me.role = 'admin'
                and u.role = 'student'
                and u.processing_restricted
                and (
                    u.school_id = me.school_id
                    or exists (
                        select from public.audit_logs as a
                        where a.subject_id = u.id and a.school_id = me.school_id
                    )
                )
    );
end
$$;
comment on function app_private.audit_hidden_subject_ids() is
'For a school admin: the restricted pupils whose audit entries they would otherwise read (S-RLS-6): those of their school, and those who moved on to another school but are the subject of entries written while they were there (an entry carries the school it was written in). Empty for anyone else.';

revoke all on function
app_private.uid(),
app_private.current_school_id(),
app_private.my_role(),
public.is_teacher(),
app_private.is_admin(),
app_private.school_member_ids(),
app_private.school_pupil_ids(),
app_private.classmate_ids(),
app_private.my_pupil_ids(),
app_private.teaches_pupil(uuid),
app_private.school_restricted_ids(),
app_private.audit_hidden_subject_ids(),
app_private.own_or_care_ids(),
app_private.message_recipient_ids()
from public, anon, authenticated, service_role;

grant execute on function
app_private.current_school_id(),
app_private.my_role(),
public.is_teacher(),
app_private.is_admin(),
app_private.school_pupil_ids(),
app_private.my_pupil_ids(),
app_private.classmate_ids(),
app_private.school_restricted_ids(),
app_private.audit_hidden_subject_ids(),
app_private.own_or_care_ids(),
app_private.message_recipient_ids()
to authenticated, service_role;
