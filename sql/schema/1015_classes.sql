/* Classes of a school (V-01): a grouping for teachers' dashboards. Go with their school. */
create table public.classes (
    id uuid primary key default gen_random_uuid(),
    school_id uuid not null references public.schools (id) on delete cascade,
    name text not null check (char_length(name) between 1 and 50),
    year_group smallint check (year_group between 1 and 6),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (id, school_id),
    unique (school_id, name)
);

alter table public.classes enable row level security;
revoke all on table public.classes from public, anon, authenticated, service_role;

comment on table public.classes is
'Classes of a school. Purpose: group pupils for teachers. ROPA V-01. Legal basis: Art. 6(1)(e) public task. Retention: with the school (cascade), until offboarded.';
comment on column public.classes.name is 'Class name, e.g. 2B. Not personal data. ROPA V-01. Retention: with the school.';
comment on column public.classes.year_group is 'Year group 1-6. ROPA V-01. Retention: with the school.';
