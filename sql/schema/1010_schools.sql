/*
  Schools (V-01). A school is the controller for its pupils' data; the platform is the
  processor. contract_ends_on drives offboarding: 30 days after it, every account of
  the school and all their data are deleted (S-RET-8, ROPA V-01 "binnen 30 dagen").
*/
create table public.schools (
    id uuid primary key default gen_random_uuid(),
    name text not null check (char_length(name) between 1 and 200),
    contract_ends_on date,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

alter table public.schools enable row level security;
revoke all on table public.schools from public, anon, authenticated, service_role;

comment on table public.schools is
'Schools using the platform. Purpose: scope every account and its data to one school (controller). ROPA V-01. Legal basis: Art. 6(1)(b) processor agreement, Art. 6(1)(e) public task. Retention: until offboarded, 30 days after contract_ends_on (S-RET-8).';
comment on column public.schools.name is 'School name (organisation, not a person). ROPA V-01. Retention: until offboarded.';
comment on column public.schools.contract_ends_on is
'Last day of the processor agreement; 30 days later the school is offboarded (S-RET-8). ROPA V-01.';
