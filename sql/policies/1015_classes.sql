/* classes: members read their school's classes; a school admin manages them. */
select app_private.reset_table_security('public.classes');

create policy select_own_school on public.classes for select to authenticated
using (school_id = (select app_private.current_school_id()));
comment on policy select_own_school on public.classes is 'Members read the classes of their own school.';

create policy insert_admin on public.classes for insert to authenticated
with check ((select app_private.is_admin()) and school_id = (select app_private.current_school_id()));
comment on policy insert_admin on public.classes is 'A school admin creates classes in their own school.';

create policy update_admin on public.classes for update to authenticated
using ((select app_private.is_admin()) and school_id = (select app_private.current_school_id()))
with check ((select app_private.is_admin()) and school_id = (select app_private.current_school_id()));
comment on policy update_admin on public.classes is 'A school admin renames classes of their own school.';

create policy delete_admin on public.classes for delete to authenticated
using ((select app_private.is_admin()) and school_id = (select app_private.current_school_id()));
comment on policy delete_admin on public.classes is 'A school admin deletes classes of their own school (pupils keep their account, class set null).';

grant select, delete on public.classes to authenticated;
grant insert (school_id, name, year_group), update (name, year_group) on public.classes to authenticated;
grant select, insert, update, delete on public.classes to service_role;

drop trigger if exists set_updated_at on public.classes;
create trigger set_updated_at before update on public.classes
for each row execute function app_private.tg_set_updated_at();
drop trigger if exists log_config_change on public.classes;
create trigger log_config_change after insert or update or delete on public.classes
for each row execute function app_private.tg_config_change();
