/* pilot_requests (V-10): developers read; rows enter only through submit_pilot_request(). */
select app_private.reset_table_security('public.pilot_requests');

create policy select_developer on public.pilot_requests for select to authenticated
using ((select app_private.my_role()) = 'developer');
comment on policy select_developer on public.pilot_requests is 'Platform developers read pilot requests.';

grant select on public.pilot_requests to authenticated;
grant select, delete on public.pilot_requests to service_role;
-- NOTE: insert is granted to nobody: submit_pilot_request() validates, rate-limits and inserts.
