/*
  Platform profiles (V-01), one per auth.users account: deleting the auth account
  deletes the profile and, by cascade, every row about the user (Art. 17).

  The platform role lives here, never in user-editable JWT metadata. id, school_id and
  the processing_restricted fields are written only by service_role and the RPCs
  (S-RLS-2): authenticated has no UPDATE privilege on them at all.

  No BSN, address, birth date or photo (S-DATA-4, data minimisation).
  The school cannot be deleted while it has users (restrict): offboarding deletes the
  auth accounts first, so nothing is left behind in auth.users.
*/
create table public.users (
    id uuid primary key references auth.users (id) on delete cascade,
    school_id uuid references public.schools (id) on delete restrict,
    class_id uuid,
    role text not null default 'student' check (role in ('student', 'teacher', 'admin', 'developer')),
    display_name text not null check (char_length(display_name) between 1 and 80),
    first_name text check (char_length(first_name) <= 80),
    last_name text check (char_length(last_name) <= 80),
    email text check (char_length(email) <= 254 and email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    year_group smallint check (year_group between 1 and 6),
    education_level text check (education_level in ('vmbo', 'havo', 'vwo', 'gymnasium', 'mbo', 'other')),
    processing_restricted boolean not null default false,
    restricted_at timestamptz,
    restricted_reason text check (char_length(restricted_reason) <= 500),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint users_school_required check (role = 'developer' or school_id is not null),
    constraint users_restriction_consistent check (processing_restricted = (restricted_at is not null)),
    constraint users_class_in_school foreign key (class_id, school_id)
    references public.classes (id, school_id) on delete set null (class_id)
);

create index users_school_id_idx on public.users (school_id, role);
create index users_class_id_idx on public.users (class_id, school_id);
create index users_restricted_idx on public.users (school_id) where processing_restricted;

alter table public.users enable row level security;
revoke all on table public.users from public, anon, authenticated, service_role;

comment on table public.users is
'Platform profile of a pupil, teacher, school admin or platform developer. Purpose: accounts, authorisation, assignment to school, class and role. ROPA V-01. Legal basis: Art. 6(1)(b) processor agreement, Art. 6(1)(e) public task. Retention: account lifetime; deleted with the auth account (cascade) or 30 days after the school contract ends.';
comment on column public.users.id is 'Account id (uuid) = auth.users.id. ROPA V-01. Retention: account lifetime.';
comment on column public.users.school_id is 'School the account belongs to (null only for developers). ROPA V-01. Retention: account lifetime.';
comment on column public.users.class_id is 'Class within the school. ROPA V-01. Retention: account lifetime.';
comment on column public.users.role is 'Platform role: student, teacher, admin or developer. ROPA V-01. Retention: account lifetime.';
comment on column public.users.display_name is 'Name shown in the platform. ROPA V-01. Retention: account lifetime.';
comment on column public.users.first_name is 'First name (optional). ROPA V-01. Retention: account lifetime.';
comment on column public.users.last_name is 'Last name (optional). ROPA V-01. Retention: account lifetime.';
comment on column public.users.email is 'School e-mail address. ROPA V-01. Retention: account lifetime.';
comment on column public.users.year_group is 'Year group 1-6. ROPA V-01. Retention: account lifetime.';
comment on column public.users.education_level is 'Education level (vmbo, havo, vwo, ...). ROPA V-01. Retention: account lifetime.';
comment on column public.users.processing_restricted is
'Art. 18 restriction: staff no longer see the pupil''s tracking data and no new tracking rows are accepted (S-RLS-6). ROPA V-01/V-15. Retention: account lifetime.';
comment on column public.users.restricted_at is 'When the restriction was requested. ROPA V-01/V-15. Retention: account lifetime.';
comment on column public.users.restricted_reason is 'Reason given for the restriction. ROPA V-01/V-15. Retention: account lifetime.';
comment on column public.users.created_at is 'Account creation time. ROPA V-01. Retention: account lifetime.';
comment on column public.users.updated_at is 'Last profile change. ROPA V-01. Retention: account lifetime.';
