/*
  ROPA V-07 ("cascade-delete"), SPEC §5 v2: a message goes when the account of either
  party goes. Until now the recipient's erasure only set recipient_id null, which kept
  the message — the erased person's conversation — with the sender. A message is about
  both parties (dgskills_db/declarations/user_columns.toml: both columns `about`).
  Messages whose recipient was already erased are that leftover: removed.
*/
delete from public.messages
where recipient_id is null;

alter table public.messages
drop constraint messages_recipient_id_fkey,
add constraint messages_recipient_id_fkey
foreign key (recipient_id) references public.users (id) on delete cascade;

alter table public.messages alter column recipient_id set not null;

comment on table public.messages is
'Messages between a teacher and a pupil of the same school. ROPA V-07. Legal basis: Art. 6(1)(e) public task. Retention: account lifetime of either party (cascade with sender and recipient).';
comment on column public.messages.recipient_id is
'Recipient; the message goes with their account. ROPA V-07. Retention: account lifetime.';
