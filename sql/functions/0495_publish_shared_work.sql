/*
  S-RLS-8 (ROPA V-05, Art. 6(1)(a), Art. 7): the author publishes a shared project or game to
  their class (classmates and the class's teachers; school admins keep the whole school) by
  giving explicit consent, and withdraws it by unpublishing. Refusals: 28000 not signed in,
  22023 an unknown kind, DG011 no explicit consent (consent is not true), DG001 no such
  work of the caller's (another's work is never theirs to publish, and its existence is
  not disclosed). Both are audited with the author as actor and subject: the consent record
  that outlives the withdrawal (Art. 7(1)). Publishing what is published renews nothing and
  returns changed = false; so does unpublishing what is private.
*/
create or replace function app_private.set_shared_work_published(p_kind text, p_id bigint, p_publish boolean)
returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
    v_me public.users := app_private.caller();
    v_table text;
    v_was text;
    v_at timestamptz;
begin
    if p_kind is null or p_kind not in ('project', 'game') then
        raise exception using errcode = '22023', message = 'kind must be project or game';
    end if;
    if p_id is null then
        raise exception using errcode = '22023', message = 'id is required';
    end if;
    if p_kind = 'project' then
        v_table := 'shared_projects';
        select t.visibility, t.published_at into v_was, v_at from public.shared_projects as t
        where t.id = p_id and t.user_id = v_me.id for update;
    else
        v_table := 'shared_games';
        select t.visibility, t.published_at into v_was, v_at from public.shared_games as t
        where t.id = p_id and t.user_id = v_me.id for update;
    end if;
    if v_was is null then
        raise exception using errcode = 'DG001', message = pg_catalog.format('no such %s of yours', p_kind);
    end if;
    if (v_was = 'class') = p_publish then
        return pg_catalog.jsonb_build_object('kind', p_kind, 'id', p_id, 'visibility', v_was, 'published_at', v_at,
                                             'changed', false);
    end if;
    v_at := case when p_publish then pg_catalog.now() end;
    if p_kind = 'project' then
        update public.shared_projects as t
        set visibility = case when p_publish then 'class' else 'private' end, published_at = v_at
        where t.id = p_id;
    else
        update public.shared_games as t
        set visibility = case when p_publish then 'class' else 'private' end, published_at = v_at
        where t.id = p_id;
    end if;
    perform app_private.audit(
        case when p_publish then 'shared_work_published' else 'shared_work_unpublished' end,
        v_me.id, v_me.id, v_me.school_id,
        pg_catalog.jsonb_build_object('table', v_table, 'id', p_id, 'class_id', v_me.class_id,
            'legal_basis', case when p_publish then 'Art. 6(1)(a) consent' else 'Art. 7(3) consent withdrawn' end)
    );
    return pg_catalog.jsonb_build_object('kind', p_kind, 'id', p_id,
        'visibility', case when p_publish then 'class' else 'private' end, 'published_at', v_at, 'changed', true);
end
$$;
comment on function app_private.set_shared_work_published(text, bigint, boolean) is
'Publishes (with recorded consent) or unpublishes the caller''s own shared project or game; audited. 22023, DG001.';

create or replace function public.publish_shared_work(kind text, id bigint, consent boolean)
returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
begin
    perform app_private.caller();
    if consent is distinct from true then
        raise exception using errcode = 'DG011',
            message = 'publishing to your class needs your explicit consent (consent => true)',
            hint = 'Your classmates and the teachers of your class will see this work until you unpublish it.';
    end if;
    return app_private.set_shared_work_published(kind, id, true);
end
$$;
comment on function public.publish_shared_work(text, bigint, boolean) is
'RPC (authenticated, the author): publishes the caller''s own project or game (kind project | game) to their class — classmates and the class''s teachers — recording the consent (published_at; audited shared_work_published). DG011 without consent => true; DG001 not the caller''s; 22023; 28000.';

create or replace function public.unpublish_shared_work(kind text, id bigint)
returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
begin
    return app_private.set_shared_work_published(kind, id, false);
end
$$;
comment on function public.unpublish_shared_work(text, bigint) is
'RPC (authenticated, the author): withdraws the consent to publish the caller''s own project or game (Art. 7(3)); private again, the author''s alone; audited shared_work_unpublished. DG001 not the caller''s; 22023; 28000.';

/*
  Consent to publish was given for one class: when a pupil moves to another class (or to
  none), their published work becomes private again (audited shared_work_unpublished, with
  the reason); they may publish it to the new class.
*/
create or replace function app_private.tg_unpublish_on_class_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    with p as (
        update public.shared_projects as t set visibility = 'private', published_at = null
        where t.user_id = new.id and t.visibility = 'class'
        returning 'shared_projects' as tbl, t.id
    ),
    g as (
        update public.shared_games as t set visibility = 'private', published_at = null
        where t.user_id = new.id and t.visibility = 'class'
        returning 'shared_games' as tbl, t.id
    )
    insert into public.audit_logs (action, actor_id, subject_id, school_id, metadata)
    select 'shared_work_unpublished', (select u.id from public.users as u where u.id = (select auth.uid())), new.id,
           new.school_id,
           pg_catalog.jsonb_build_object('table', x.tbl, 'id', x.id, 'reason', 'the author moved to another class',
                                         'legal_basis', 'Art. 6(1)(a): consent covered the former class only')
    from (select p.tbl, p.id from p union all select g.tbl, g.id from g) as x;
    return null;
end
$$;
comment on function app_private.tg_unpublish_on_class_change() is
'users: a pupil who changes class has their published work made private again (consent was for the former class), audited.';

revoke all on function
app_private.tg_unpublish_on_class_change(),
app_private.set_shared_work_published(text, bigint, boolean),
public.publish_shared_work(text, bigint, boolean),
public.unpublish_shared_work(text, bigint)
from public, anon, authenticated, service_role;
grant execute on function
public.publish_shared_work(text, bigint, boolean),
public.unpublish_shared_work(text, bigint)
to authenticated;
