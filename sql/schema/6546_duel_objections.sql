/*
  Objection to the duel feature (Art. 21 GDPR). The duels (ROPA V-08) rest partly on
  Art. 6(1)(f), legitimate interest, so a pupil may object: one row here while they do. The
  row is written and deleted by the pupil (sql/policies/6546_duel_objections.sql); while it
  exists their presence is removed and refused, nobody can challenge them or play a duel
  with them (DG003, app_private.tg_refuse_if_objected), and their pending challenges and
  running duels end. The objection itself is the pupil's data (V-15): exported to them,
  gone with the account.
*/
create table public.duel_objections (
    user_id uuid primary key references public.users (id) on delete cascade,
    created_at timestamptz not null default now()
);

alter table public.duel_objections enable row level security;
revoke all on table public.duel_objections from public, anon, authenticated, service_role;

comment on table public.duel_objections is
'A pupil''s objection (Art. 21) to the duel feature: while the row exists they have no presence, cannot be challenged and play no duel. Purpose: honouring the objection. ROPA V-15. Legal basis: Art. 6(1)(c) legal obligation (GDPR Art. 21). Retention: account lifetime; deleted earlier when the pupil withdraws the objection.';
comment on column public.duel_objections.user_id is
'The pupil who objected. ROPA V-15. Retention: account lifetime (deleted earlier when the objection is withdrawn).';
comment on column public.duel_objections.created_at is
'When the pupil objected. ROPA V-15. Retention: account lifetime (deleted earlier when the objection is withdrawn).';
