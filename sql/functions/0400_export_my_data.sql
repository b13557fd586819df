/*
  Art. 15/20 (ROPA V-15): the signed-in user's complete export, schema 2.0. Audited.

  S-RPC-4: an export never contains what its subject may not see. Rows *about* the
  caller (a column declared `about` holds them) are read by a SECURITY DEFINER pass:
  they are the caller's personal data even where RLS does not show them (notes about a
  pupil). Rows where the caller is only the *actor* (assessor, overrider, note author,
  audit actor) are read in a SECURITY INVOKER pass, under the caller's own row-level
  security at this moment: a teacher's export never holds a restricted pupil's scores,
  a pupil outside their reach, or the data of a school they left.

  Which tables and columns both passes read is the catalog's (every foreign key to
  public.users, app_private.user_references(), with its declared kind). Read table by
  table with dynamic SQL, every export planned each query anew: on the partitioned
  tables (student_activities, audit_logs) planning every partition cost more than
  reading the rows. So this file *compiles* the catalog into two functions of static
  SQL (app_private.export_compile(), run below at every deploy that changes the
  catalog they were built from): their plans are cached per connection, as PostgREST
  keeps its connections. Each compiled function carries the description of the catalog
  it was built from (app_private.export_spec()); every export compares it with the
  live catalog first and, when they differ (a table or column added by hand since the
  deploy), exports by the dynamic catalog-driven path instead: slower, never less.

  The document is built as text (json_agg per table, the actor rows appended to the
  about rows of the same table) and parsed into jsonb once, at the end.
*/

-- What the export reads, from the live catalog: per table referencing users (users
-- itself aside), its name in the export, the relation, the columns holding the subject
-- (declared `about`, or undeclared), the actor columns, and the secret-looking columns
-- left out of every exported row. One line per table, ordered by name.
create or replace function app_private.export_spec()
returns text
language sql stable
set search_path = ''
as $$
    select pg_catalog.string_agg(pg_catalog.concat_ws(' ', s.table_name, s.tbl::text, s.about_cols, s.actor_cols, s.secret_cols),
                                 e'\n' order by s.table_name)
    from (
        select ur.tbl, ur.table_name,
               coalesce(pg_catalog.array_agg(ur.col::text order by ur.col) filter (where coalesce(ur.kind, 'about') = 'about'),
                        '{}'::text[])::text as about_cols,
               coalesce(pg_catalog.array_agg(ur.col::text order by ur.col) filter (where ur.kind = 'actor'), '{}'::text[])::text as actor_cols,
               coalesce((select pg_catalog.array_agg(a.attname::text order by a.attname) from pg_catalog.pg_attribute as a
                          where a.attrelid = ur.tbl and a.attnum > 0 and not a.attisdropped
                            and a.attname ~* '(password|token|secret)'), '{}'::text[])::text as secret_cols
        from app_private.user_references() as ur
        where ur.tbl <> 'public.users'::regclass
        group by ur.tbl, ur.table_name
    ) as s
$$;
comment on function app_private.export_spec() is
'What the export reads, from the live catalog: per table referencing users, its relation, subject (about) columns, actor columns and left-out secret columns; compared with what the compiled export was built from.';

/*
  Builds, from the live catalog, the two compiled passes of the export:
    app_private.export_about_rows(p_user) (SECURITY DEFINER): per table, every row about
      the user, as a JSON array text;
    app_private.export_actor_rows() (SECURITY INVOKER): per table with an actor column,
      the rows where the signed-in user acted and is not the subject, as their own RLS
      shows them;
  each a single statement of static SQL (one plan, cached), app_private.export_compiled_tables()
  (their tables, in order) and app_private.export_compiled_spec(), the export_spec()
  they were built from. Names are
  quoted by format(%I) and regclass output; the user is a parameter or the signed-in user.
*/
create or replace function app_private.export_compile()
returns void
language plpgsql volatile
set search_path = ''
as $$
declare
    r record;
    v_about text[] := '{}'::text[];
    v_actor text[] := '{}'::text[];
    v_tables text[] := '{}'::text[];
    v_actor_tables text[] := '{}'::text[];
    v_select text;
begin
    for r in
        select ur.tbl, ur.table_name,
               pg_catalog.array_agg(ur.col::text order by ur.col) filter (where coalesce(ur.kind, 'about') = 'about') as about_cols,
               pg_catalog.array_agg(ur.col::text order by ur.col) filter (where ur.kind = 'actor') as actor_cols,
               (select pg_catalog.array_agg(a.attname::text order by a.attname) from pg_catalog.pg_attribute as a
                 where a.attrelid = ur.tbl and a.attnum > 0 and not a.attisdropped
                   and a.attname ~* '(password|token|secret)') as secret_cols
        from app_private.user_references() as ur
        where ur.tbl <> 'public.users'::regclass
        group by ur.tbl, ur.table_name
        order by ur.table_name
    loop
        -- json_agg builds text directly (3x faster than jsonb per row); secret-looking
        -- columns force the jsonb path that can leave them out.
        v_select := case when r.secret_cols is null
            then 'select coalesce(pg_catalog.json_agg(t)::text, ''[]'') from %s as t where %s'
            else 'select coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(t) - '
                 || pg_catalog.quote_literal(r.secret_cols::text) || '::text[])::text, ''[]'') from %s as t where %s'
        end;
        v_tables := v_tables || r.table_name;
        v_about := v_about || pg_catalog.format(
            '(' || v_select || ')',
            r.tbl,
            coalesce((select pg_catalog.string_agg(pg_catalog.format('t.%I = p_user', c), ' or ')
                      from pg_catalog.unnest(r.about_cols) as c), 'false'));
        if r.actor_cols is not null then
            v_actor_tables := v_actor_tables || r.table_name;
            v_actor := v_actor || pg_catalog.format(
                '(' || v_select || ')',
                r.tbl,
                pg_catalog.format('(%s) and not (%s)',
                    (select pg_catalog.string_agg(pg_catalog.format('t.%I = v_me', c), ' or ')
                     from pg_catalog.unnest(r.actor_cols) as c),
                    coalesce((select pg_catalog.string_agg(pg_catalog.format('t.%I is not distinct from v_me', c), ' or ')
                              from pg_catalog.unnest(r.about_cols) as c), 'false')));
        end if;
    end loop;

    execute pg_catalog.format($f$
create or replace function app_private.export_compiled_spec()
returns text
language sql immutable
set search_path = ''
as %L
$f$, 'select ' || pg_catalog.quote_literal(coalesce(app_private.export_spec(), '')));
    comment on function app_private.export_compiled_spec() is
    'The export_spec() the compiled export (export_about_rows, export_actor_rows) was built from (generated by export_compile()).';

    execute pg_catalog.format($f$
create or replace function app_private.export_compiled_tables(out tables text[], out actor_tables text[])
language sql immutable
set search_path = ''
as %L
$f$, pg_catalog.format('select %L::text[], %L::text[]', v_tables, v_actor_tables));
    comment on function app_private.export_compiled_tables() is
    'The tables of the compiled export, in the order of export_about_rows() and export_actor_rows() (generated by export_compile()).';

    execute pg_catalog.format($f$
create or replace function app_private.export_about_rows(p_user uuid)
returns text[]
language plpgsql stable security definer
set search_path = ''
as %L
$f$, e'begin\n    return array[\n        '
     || coalesce(pg_catalog.array_to_string(v_about, e',\n        '), '') || e'\n    ]::text[];\nend\n');
    comment on function app_private.export_about_rows(uuid) is
    'Compiled by export_compile(): per table of export_compiled_spec() (in its order), the rows about the user as a JSON array.';

    execute pg_catalog.format($f$
create or replace function app_private.export_actor_rows()
returns text[]
language plpgsql stable security invoker
set search_path = ''
as %L
$f$, e'declare\n    v_me uuid := (select auth.uid());\nbegin\n    return array[\n        '
     || coalesce(pg_catalog.array_to_string(v_actor, e',\n        '), '') || e'\n    ]::text[];\nend\n');
    comment on function app_private.export_actor_rows() is
    'Compiled by export_compile(): per table of export_compiled_spec() with an actor column (in its order), the rows where the signed-in user acted and is not the subject, as their own row-level security shows them, as a JSON array.';

    revoke all on function app_private.export_compiled_spec() from public, anon, authenticated, service_role;
    revoke all on function app_private.export_compiled_tables() from public, anon, authenticated, service_role;
    revoke all on function app_private.export_about_rows(uuid) from public, anon, authenticated, service_role;
    revoke all on function app_private.export_actor_rows() from public, anon, authenticated, service_role;
    -- SECURITY INVOKER: the caller reads nothing through it that RLS does not show them anyway
    grant execute on function app_private.export_actor_rows() to authenticated;
end
$$;
comment on function app_private.export_compile() is
'Compiles the export for the live catalog: export_about_rows(), export_actor_rows() (static SQL, plans cached per connection) and export_compiled_spec(). Run by this file at deploy.';
revoke all on function app_private.export_compile() from public, anon, authenticated, service_role;

select app_private.export_compile();

/*
  The definer pass: audits the export, then returns the subject and, when the compiled
  export matches the live catalog, the tables and their rows about the caller. `compiled`
  false: the catalog changed since the deploy; nothing was read and nothing audited, and
  export_my_data() takes the dynamic path (export_self()).
*/
create or replace function app_private.export_self_compiled(
    out compiled boolean, out subject text, out tables text[], out about_rows text[],
    out actor_tables text[]
)
language plpgsql volatile security definer
set search_path = ''
as $$
declare
    v_me public.users := app_private.caller();
begin
    compiled := app_private.export_spec() is not distinct from app_private.export_compiled_spec();
    if not compiled then
        return;
    end if;
    perform app_private.audit('gdpr_data_export', v_me.id, v_me.id, v_me.school_id,
        pg_catalog.jsonb_build_object('legal_basis', 'Art. 15/20 GDPR', 'initiator', 'self'));
    subject := app_private.export_subject(v_me.id)::text;
    select ct.tables, ct.actor_tables into tables, actor_tables from app_private.export_compiled_tables() as ct;
    about_rows := app_private.export_about_rows(v_me.id);
end
$$;
comment on function app_private.export_self_compiled() is
'The definer pass of export_my_data() by the compiled export: the gdpr_data_export audit entry, the subject, and per table the rows about the caller; compiled false (nothing read or audited) when the catalog changed since it was compiled.';
revoke all on function app_private.export_self_compiled() from public, anon, authenticated, service_role;
grant execute on function app_private.export_self_compiled() to authenticated;

-- The dynamic path: export_user() reads the catalog at every call.
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
'The rows about the signed-in user (export_user) and the gdpr_data_export audit entry; export_my_data() adds the actor rows under RLS. The dynamic path, taken when the compiled export does not match the catalog.';
revoke all on function app_private.export_self() from public, anon, authenticated, service_role;
grant execute on function app_private.export_self() to authenticated;

create or replace function public.export_my_data()
returns jsonb
language plpgsql volatile security invoker
set search_path = ''
as $$
declare
    v_self record := app_private.export_self_compiled();
    v_rows text[];
    v_actor text[];
    v_doc jsonb;
    v_me uuid;
    r record;
    v_found jsonb;
    i integer;
begin
    if v_self.compiled then
        v_rows := v_self.about_rows;
        v_actor := app_private.export_actor_rows();
        for j in 1 .. coalesce(pg_catalog.cardinality(v_self.actor_tables), 0) loop
            continue when v_actor[j] = '[]';
            i := pg_catalog.array_position(v_self.tables, v_self.actor_tables[j]);
            -- both are JSON arrays as json_agg writes them: '[' … ']'
            v_rows[i] := case when v_rows[i] = '[]' then v_actor[j]
                              else pg_catalog.left(v_rows[i], -1) || ', ' || pg_catalog.substr(v_actor[j], 2) end;
        end loop;
        return ('{"schema_version": "2.0", "exported_at": ' || pg_catalog.to_json(pg_catalog.now())::text
                || ', "subject": ' || coalesce(v_self.subject, 'null') || ', "data": {'
                || coalesce((select pg_catalog.string_agg(pg_catalog.to_json(d.t)::text || ': ' || d.r, ', ' order by d.n)
                             from rows from (pg_catalog.unnest(v_self.tables), pg_catalog.unnest(v_rows))
                                  with ordinality as d (t, r, n)), '')
                || '}}')::jsonb;
    end if;

    -- The catalog changed since the compiled export was built: read it table by table.
    v_doc := app_private.export_self();
    v_me := (v_doc -> 'subject' ->> 'id')::uuid;
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
        ) into v_found using v_me, coalesce(r.secret_cols, '{}'::text[]);
        if v_found <> '[]'::jsonb then
            v_doc := pg_catalog.jsonb_set(v_doc, array['data', r.table_name],
                                          coalesce(v_doc -> 'data' -> r.table_name, '[]'::jsonb) || v_found);
        end if;
    end loop;
    return v_doc;
end
$$;
comment on function public.export_my_data() is
'RPC (authenticated): Art. 15/20 export of the caller: {schema_version "2.0", exported_at, subject, data: {<table>: [rows]}} with every row about the caller (declared about columns), and the rows where the caller only acted (assessor, overrider, note author, audit actor) as the caller''s own row-level security shows them now. Audited as gdpr_data_export. 28000 when not signed in.';
revoke all on function public.export_my_data() from public, anon, authenticated, service_role;
grant execute on function public.export_my_data() to authenticated;
