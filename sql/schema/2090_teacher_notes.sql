/*
  Teachers' notes about a pupil (V-06). About the pupil (cascade); the author is a
  bystander (set null), so deleting a teacher keeps the notes about other pupils.
  The pupil does not read them in the app but receives them in the export (Art. 15).
*/
create table public.teacher_notes (
    id bigint generated always as identity primary key,
    student_id uuid not null references public.users (id) on delete cascade,
    author_id uuid references public.users (id) on delete set null,
    body text not null check (char_length(body) between 1 and 5000),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index teacher_notes_student_id_idx on public.teacher_notes (student_id);
create index teacher_notes_author_id_idx on public.teacher_notes (author_id);

alter table public.teacher_notes enable row level security;
revoke all on table public.teacher_notes from public, anon, authenticated, service_role;

comment on table public.teacher_notes is
'A teacher''s note about a pupil. Purpose: pedagogical follow-up. ROPA V-06. Legal basis: Art. 6(1)(e) public task. Retention: account lifetime of the pupil (cascade).';
comment on column public.teacher_notes.student_id is 'The pupil the note is about. ROPA V-06. Retention: account lifetime.';
comment on column public.teacher_notes.author_id is 'The teacher who wrote it; null after that account is deleted. ROPA V-06. Retention: account lifetime.';
comment on column public.teacher_notes.body is 'Note text. ROPA V-06. Retention: account lifetime.';
