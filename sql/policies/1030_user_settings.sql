/* user_settings: owner only. */
select app_private.reset_table_security('public.user_settings');

create policy all_own on public.user_settings for all to authenticated
using (user_id = (select auth.uid()))
with check (user_id = (select auth.uid()));
comment on policy all_own on public.user_settings is 'Only the owner reads and writes their settings.';

grant select, delete on public.user_settings to authenticated;
grant insert (user_id, settings), update (settings) on public.user_settings to authenticated;
grant select, insert, update, delete on public.user_settings to service_role;

drop trigger if exists set_updated_at on public.user_settings;
create trigger set_updated_at before update on public.user_settings
for each row execute function app_private.tg_set_updated_at();
