/* library_items (V-13): owner only. */
select app_private.reset_table_security('public.library_items');

create policy all_own on public.library_items for all to authenticated
using (user_id = (select auth.uid()))
with check (user_id = (select auth.uid()));
comment on policy all_own on public.library_items is 'Only the owner reads and writes their library.';

grant select, delete on public.library_items to authenticated;
grant insert (user_id, title, url, notes), update (title, url, notes) on public.library_items to authenticated;
grant select, insert, update, delete on public.library_items to service_role;
