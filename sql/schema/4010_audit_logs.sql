/*
  Audit log (V-12): privacy actions (export, deletion, restriction) and configuration
  changes (S-RPC-3). Append-only for every API role, service_role included (S-RLS-3):
  no UPDATE, DELETE or TRUNCATE privilege. Rows leave only by the 3-year retention job
  (S-RET-6) or the cascade when the subject's account is deleted; the deletion receipt
  has no subject_id (only subject_hash, a sha256 of the id), so it survives that cascade.
  school_id is copied at insert time so a school admin sees their school's entries.
*/
create table public.audit_logs (
    id bigint generated always as identity primary key,
    action text not null check (char_length(action) between 1 and 100),
    actor_id uuid references public.users (id) on delete set null,
    subject_id uuid references public.users (id) on delete cascade,
    subject_hash text check (subject_hash ~ '^[0-9a-f]{64}$'),
    school_id uuid references public.schools (id) on delete set null,
    metadata jsonb not null default '{}'::jsonb check (pg_column_size(metadata) <= 16384),
    created_at timestamptz not null default now()
);
create index audit_logs_actor_id_idx on public.audit_logs (actor_id);
create index audit_logs_subject_id_idx on public.audit_logs (subject_id);
create index audit_logs_school_id_idx on public.audit_logs (school_id, created_at);
create index audit_logs_created_at_idx on public.audit_logs (created_at);

alter table public.audit_logs enable row level security;
revoke all on table public.audit_logs from public, anon, authenticated, service_role;

comment on table public.audit_logs is
'Append-only audit trail of privacy actions and configuration changes. Purpose: accountability (Art. 5(2), Art. 30). ROPA V-12. Legal basis: Art. 6(1)(c) legal obligation, Art. 6(1)(f) information security. Retention: 3 years after created_at (S-RET-6); rows about a deleted account go with it, its deletion receipt stays.';
comment on column public.audit_logs.action is 'What happened (gdpr_data_export, gdpr_account_deletion_initiated, config_change, ...). ROPA V-12. Retention: 3 years.';
comment on column public.audit_logs.actor_id is 'Who did it; null for the system or after that account is deleted. ROPA V-12. Retention: 3 years.';
comment on column public.audit_logs.subject_id is 'Whom it is about. ROPA V-12. Retention: 3 years, or until that account is deleted.';
comment on column public.audit_logs.subject_hash is 'sha256 of a deleted account''s id (deletion receipts). ROPA V-12. Retention: 3 years.';
comment on column public.audit_logs.school_id is 'School the entry belongs to (for the school admin). ROPA V-12. Retention: 3 years.';
comment on column public.audit_logs.metadata is 'Details: legal basis, old and new values of a configuration change. ROPA V-12. Retention: 3 years.';
comment on column public.audit_logs.created_at is 'When; the retention clock. ROPA V-12. Retention: 3 years.';
