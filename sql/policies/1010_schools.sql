/* schools: members read their own school; developers read the schools list; service_role writes. */
select app_private.reset_table_security('public.schools');

create policy select_own_school on public.schools for select to authenticated
using (id = (select app_private.current_school_id()) or (select app_private.my_role()) = 'developer');
comment on policy select_own_school on public.schools is
'A member reads their own school; a platform developer reads the schools list.';

grant select on public.schools to authenticated;
grant select, insert, update, delete on public.schools to service_role;
-- NOTE: authenticated cannot write schools: contracts are platform configuration.

drop trigger if exists set_updated_at on public.schools;
create trigger set_updated_at before update on public.schools
for each row execute function app_private.tg_set_updated_at();
drop trigger if exists log_config_change on public.schools;
create trigger log_config_change after insert or update or delete on public.schools
for each row execute function app_private.tg_config_change();
