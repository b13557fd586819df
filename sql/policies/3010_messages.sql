/*
  messages (V-07): sender and recipient read; a member sends to a member of their own
  school when one side is staff; the recipient marks it read (read_at only).
*/
select app_private.reset_table_security('public.messages');

create policy select_participant on public.messages for select to authenticated
using (sender_id = (select auth.uid()) or recipient_id = (select auth.uid()));
comment on policy select_participant on public.messages is 'Only sender and recipient read a message.';

create policy insert_sender on public.messages for insert to authenticated
with check (
    sender_id = (select auth.uid())
    and recipient_id = any((select app_private.message_recipient_ids())::uuid[])
);
comment on policy insert_sender on public.messages is
'A user sends as themself to a member of their own school; one side must be a teacher or admin.';

create policy update_recipient on public.messages for update to authenticated
using (recipient_id = (select auth.uid()))
with check (recipient_id = (select auth.uid()));
comment on policy update_recipient on public.messages is 'The recipient marks a message read (read_at is the only column granted).';

grant select on public.messages to authenticated;
grant insert (sender_id, recipient_id, body), update (read_at) on public.messages to authenticated;
grant select, insert, update, delete on public.messages to service_role;
-- NOTE: no delete for authenticated: messages go with the sender's account.

drop trigger if exists clamp_client_time on public.messages;
create trigger clamp_client_time before insert or update on public.messages
for each row execute function app_private.tg_clamp_client_time('read_at');
