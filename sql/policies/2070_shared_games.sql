/*
  shared_games (V-05, S-RLS-8): private by default, the author's alone. The author publishes to
  their class with recorded consent (publish_shared_work(), unpublish_shared_work(): the only
  writers of visibility and published_at); published work is read by the author's classmates
  (app_private.classmate_ids()) and by the staff in whose care the author is (a teacher of
  the author's class, S-RLS-7; a school admin of the school), except by staff while the
  author's processing is restricted (S-RLS-6).
*/
select app_private.reset_table_security('public.shared_games');

create policy select_own_or_published on public.shared_games for select to authenticated
using (
    user_id = (select auth.uid())
    or (
        visibility = 'class'
        and (
            user_id = any((select app_private.classmate_ids())::uuid[])
            or user_id = any((select app_private.own_or_care_ids())::uuid[])
        )
    )
);
comment on policy select_own_or_published on public.shared_games is
'The author reads their own; published work (visibility class, with consent) is read by the author''s classmates and the teachers of the author''s class (a school admin: the school), except by staff while the author''s processing is restricted (S-RLS-6).';

create policy insert_own on public.shared_games for insert to authenticated
with check (user_id = (select auth.uid()));
comment on policy insert_own on public.shared_games is 'A user creates their own only.';

create policy update_own on public.shared_games for update to authenticated
using (user_id = (select auth.uid()))
with check (user_id = (select auth.uid()));
comment on policy update_own on public.shared_games is 'The author edits their own.';

create policy delete_own on public.shared_games for delete to authenticated
using (user_id = (select auth.uid()));
comment on policy delete_own on public.shared_games is 'The author deletes their own.';

grant select, delete on public.shared_games to authenticated;
grant insert (user_id, title, config), update (title, config) on public.shared_games to authenticated;
-- NOTE: visibility and published_at are not granted: only publish_shared_work() (with consent)
-- and unpublish_shared_work() change them.
grant select, insert, update, delete on public.shared_games to service_role;

drop trigger if exists set_updated_at on public.shared_games;
create trigger set_updated_at before update on public.shared_games
for each row execute function app_private.tg_set_updated_at();
