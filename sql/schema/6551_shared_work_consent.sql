/*
  Consent for sharing (S-RLS-8, ROPA V-05: Art. 6(1)(a) "toestemming, expliciet bij publicatie
  naar klasgenoten"). Shared work is private by default. Publishing it to the classmates and
  the class's teachers is the author's explicit, recorded consent: visibility 'class' and
  published_at (when; who is the author, the only one who may publish), set only by
  publish_shared_work(…, consent => true), and audited (shared_work_published, with the
  author as actor and subject) so that the consent can be demonstrated (Art. 7(1)) also
  after it was withdrawn. unpublish_shared_work() withdraws it (Art. 7(3)) and hides the
  work again. Clients no longer write visibility directly.

  The old value 'school' (shared with the whole school) recorded no consent: such work
  becomes private here, nothing of it is lost, its author may publish it again to the class,
  and each such row is audited (shared_work_unpublished, subject the author) so the app can
  tell the authors. The constraints are added NOT VALID and validated after the rows are moved.
*/
alter table public.shared_projects add column published_at timestamptz;
alter table public.shared_games add column published_at timestamptz;

insert into public.audit_logs (action, actor_id, subject_id, school_id, metadata)
select
    'shared_work_unpublished' as action,
    null::uuid as actor_id,
    w.user_id as subject_id,
    u.school_id,
    pg_catalog.jsonb_build_object(
        'table', w.tbl, 'id', w.id, 'reason', 'shared with the school without recorded consent (S-RLS-8)'
    ) as metadata
from (
    select
        'shared_projects' as tbl,
        p.id,
        p.user_id
    from public.shared_projects as p
    where p.visibility = 'school'
    union all
    select
        'shared_games' as tbl,
        g.id,
        g.user_id
    from public.shared_games as g
    where g.visibility = 'school'
) as w
inner join public.users as u on w.user_id = u.id;

update public.shared_projects set visibility = 'private'
where visibility = 'school';
update public.shared_games set visibility = 'private'
where visibility = 'school';

alter table public.shared_projects drop constraint shared_projects_visibility_check;
alter table public.shared_games drop constraint shared_games_visibility_check;

alter table public.shared_projects
add constraint shared_projects_visibility_check check (visibility in ('private', 'class')) not valid,
add constraint shared_projects_published_with_consent check ((visibility = 'class') = (published_at is not null)) not valid;
alter table public.shared_games
add constraint shared_games_visibility_check check (visibility in ('private', 'class')) not valid,
add constraint shared_games_published_with_consent check ((visibility = 'class') = (published_at is not null)) not valid;

alter table public.shared_projects validate constraint shared_projects_visibility_check;
alter table public.shared_projects validate constraint shared_projects_published_with_consent;
alter table public.shared_games validate constraint shared_games_visibility_check;
alter table public.shared_games validate constraint shared_games_published_with_consent;

comment on constraint shared_projects_published_with_consent on public.shared_projects is
'Published to the class exactly when the author''s consent is recorded (published_at), S-RLS-8.';
comment on constraint shared_games_published_with_consent on public.shared_games is
'Published to the class exactly when the author''s consent is recorded (published_at), S-RLS-8.';

comment on column public.shared_projects.visibility is
'private (the author''s alone, the default) or class (published to classmates and the class''s teachers with the author''s consent, S-RLS-8). ROPA V-05. Retention: account lifetime.';
comment on column public.shared_games.visibility is
'private (the author''s alone, the default) or class (published to classmates and the class''s teachers with the author''s consent, S-RLS-8). ROPA V-05. Retention: 1 year.';
comment on column public.shared_projects.published_at is
'When the author consented to publishing to the class (Art. 6(1)(a)); null while private. ROPA V-05. Retention: account lifetime.';
comment on column public.shared_games.published_at is
'When the author consented to publishing to the class (Art. 6(1)(a)); null while private. ROPA V-05. Retention: 1 year.';
comment on table public.shared_projects is
'Projects a pupil made, private unless the author publishes them to their class with consent. Purpose: portfolio and sharing with classmates. ROPA V-05. Legal basis: Art. 6(1)(e) public task; Art. 6(1)(a) consent when published. Retention: account lifetime (cascade).';
comment on table public.shared_games is
'Games a pupil made, private unless the author publishes them to their class with consent. Purpose: portfolio and sharing. ROPA V-05. Legal basis: Art. 6(1)(e) public task; Art. 6(1)(a) consent when published. Retention: 1 year after created_at (S-RET-5).';
