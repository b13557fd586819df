/*
  Teacher-pupil messages (V-07). The sender's words are about the sender (cascade);
  the recipient is set null when their account goes, so the other side of the thread
  keeps what they wrote (S-DATA-1). Only sender and recipient see a message.
*/
create table public.messages (
    id bigint generated always as identity primary key,
    sender_id uuid not null references public.users (id) on delete cascade,
    recipient_id uuid references public.users (id) on delete set null,
    body text not null check (char_length(body) between 1 and 5000),
    read_at timestamptz,
    created_at timestamptz not null default now(),
    constraint messages_not_to_self check (recipient_id <> sender_id)
);
create index messages_sender_id_idx on public.messages (sender_id, created_at);
create index messages_recipient_id_idx on public.messages (recipient_id, created_at);

alter table public.messages enable row level security;
revoke all on table public.messages from public, anon, authenticated, service_role;

comment on table public.messages is
'Messages between a teacher and a pupil of the same school. ROPA V-07. Legal basis: Art. 6(1)(e) public task. Retention: account lifetime (sender cascade; recipient set null).';
comment on column public.messages.sender_id is 'Sender. ROPA V-07. Retention: account lifetime.';
comment on column public.messages.recipient_id is 'Recipient; null after that account is deleted. ROPA V-07. Retention: account lifetime.';
comment on column public.messages.body is 'Message text. ROPA V-07. Retention: account lifetime.';
comment on column public.messages.read_at is 'When the recipient read it. ROPA V-07. Retention: account lifetime.';
