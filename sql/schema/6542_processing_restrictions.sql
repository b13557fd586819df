/*
  The reason a pupil gave for restricting processing (Art. 18, ROPA V-15) moves out of
  public.users into its own table. Teachers read their school's profiles (users rows, every
  column), and the reason is readable by the pupil and their school's admins only (S-RLS-6
  v2); a table of its own gets exactly those readers (sql/policies/6542_processing_restrictions.sql).
  One row per pupil while a reason is on record: written by restrict_processing(), deleted by
  lift_processing_restriction(), gone with the account (cascade). Existing reasons are moved
  here, then the column is dropped.
*/
create table public.processing_restrictions (
    user_id uuid primary key references public.users (id) on delete cascade,
    reason text not null check (char_length(reason) between 1 and 500),
    created_at timestamptz not null default now()
);

alter table public.processing_restrictions enable row level security;
revoke all on table public.processing_restrictions from public, anon, authenticated, service_role;

insert into public.processing_restrictions (user_id, reason, created_at)
select
    u.id,
    u.restricted_reason,
    coalesce(u.restricted_at, now()) as created_at
from public.users as u
where u.restricted_reason is not null and char_length(u.restricted_reason) between 1 and 500;

alter table public.users drop column restricted_reason;

comment on table public.processing_restrictions is
'The reason a user gave when restricting the processing of their data (Art. 18). Purpose: the school (controller) weighs the request before lifting it. ROPA V-15. Legal basis: Art. 6(1)(c) legal obligation (GDPR Art. 18). Retention: account lifetime; deleted earlier when the restriction is lifted.';
comment on column public.processing_restrictions.user_id is
'The user who restricted processing. ROPA V-15. Retention: account lifetime (deleted earlier when the restriction is lifted).';
comment on column public.processing_restrictions.reason is
'Reason given for the restriction (1-500 characters). ROPA V-15. Retention: account lifetime (deleted earlier when the restriction is lifted).';
comment on column public.processing_restrictions.created_at is
'When the reason was recorded. ROPA V-15. Retention: account lifetime (deleted earlier when the restriction is lifted).';
