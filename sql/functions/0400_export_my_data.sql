/*
  Art. 15/20 (ROPA V-15): the signed-in user's complete export, schema 2.0. Audited.

  S-RPC-4: an export never contains what its subject may not see. Rows *about* the
  caller (a column declared `about` holds them) come whole from export_self(), which
  runs as the owner: they are the caller's personal data even where RLS does not show
  them (notes about a pupil). Rows where the caller is only the *actor* (assessor,
  overrider, note author, audit actor) are read here, in this SECURITY INVOKER
  function, under the caller's own row-level security at this moment: a teacher's
  export never holds a restricted pupil's scores, a pupil outside their reach, or the
  data of a school they left.
*/
create or replace function app_private.export_self()
returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
    v_me public.users := app_private.caller();
begin
    perform app_private.audit('gdpr_data_export', v_me.id, v_me.id, v_me.school_id,
        pg_catalog.jsonb_build_object('legal_basis', 'Art. 15/20 GDPR', 'initiator', 'self'));
    return app_private.export_user(v_me.id);
end
$$;
comment on function app_private.export_self() is
'The rows about the signed-in user (export_user) and the gdpr_data_export audit entry; export_my_data() adds the actor rows under RLS.';
revoke all on function app_private.export_self() from public, anon, authenticated, service_role;
grant execute on function app_private.export_self() to authenticated;

create or replace function public.export_my_data()
returns jsonb
language plpgsql volatile security invoker
set search_path = ''
as $$
declare
    v_doc jsonb := app_private.export_self();
    v_me uuid := (v_doc -> 'subject' ->> 'id')::uuid;
    r record;
    v_rows jsonb;
begin
    for r in
        select d.table_name,
               pg_catalog.array_agg(d.column_name) filter (where d.kind = 'actor') as actor_cols,
               pg_catalog.array_agg(d.column_name) filter (where d.kind = 'about') as about_cols,
               (select pg_catalog.array_agg(a.attname::text) from pg_catalog.pg_attribute as a
                 where a.attrelid = pg_catalog.to_regclass('public.' || d.table_name) and a.attnum > 0
                   and not a.attisdropped and a.attname ~* '(password|token|secret)') as secret_cols
        from app_private.declared_user_columns() as d
        group by d.table_name
        having pg_catalog.count(*) filter (where d.kind = 'actor') > 0
        order by d.table_name
    loop
        execute pg_catalog.format(
            'select coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(t) - $2::text[]), ''[]''::jsonb) from public.%I as t where (%s) and not (%s)',
            r.table_name,
            (select pg_catalog.string_agg(pg_catalog.format('t.%I = $1', c), ' or ') from pg_catalog.unnest(r.actor_cols) as c),
            coalesce((select pg_catalog.string_agg(pg_catalog.format('t.%I is not distinct from $1', c), ' or ')
                      from pg_catalog.unnest(r.about_cols) as c), 'false')
        ) into v_rows using v_me, coalesce(r.secret_cols, '{}'::text[]);
        if v_rows <> '[]'::jsonb then
            v_doc := pg_catalog.jsonb_set(v_doc, array['data', r.table_name],
                                          coalesce(v_doc -> 'data' -> r.table_name, '[]'::jsonb) || v_rows);
        end if;
    end loop;
    return v_doc;
end
$$;
comment on function public.export_my_data() is
'RPC (authenticated): Art. 15/20 export of the caller: {schema_version "2.0", exported_at, subject, data: {<table>: [rows]}} with every row about the caller (declared about columns), and the rows where the caller only acted (assessor, overrider, note author, audit actor) as the caller''s own row-level security shows them now. Audited as gdpr_data_export. 28000 when not signed in.';
revoke all on function public.export_my_data() from public, anon, authenticated, service_role;
grant execute on function public.export_my_data() to authenticated;
