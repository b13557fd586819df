/*
  xp_transactions: tracking data (V-03). The pupil reads their own rows; a teacher reads those of the
  pupils of the classes they teach (S-RLS-7), an admin of their school's pupils, unless the pupil restricted processing (S-RLS-6).
  Writes: service_role and the RPCs only.
*/
select app_private.reset_table_security('public.xp_transactions');

create policy select_own_or_staff on public.xp_transactions for select to authenticated
using (user_id = any((select app_private.own_or_care_ids())::uuid[]));
comment on policy select_own_or_staff on public.xp_transactions is
'The pupil reads their own rows; staff read those of the pupils in their care (a teacher: their classes) rows unless processing is restricted.';

grant select on public.xp_transactions to authenticated;
grant select on public.xp_transactions to service_role;
-- NOTE: nobody writes xp directly, service_role included: award_xp() is the only writer (anti-cheat).
-- NOTE: authenticated has no write privilege: progress and rewards are computed server-side.

drop trigger if exists refuse_if_restricted on public.xp_transactions;
create trigger refuse_if_restricted before insert or update on public.xp_transactions
for each row execute function app_private.tg_refuse_if_restricted('user_id');
