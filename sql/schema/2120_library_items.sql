/* Personal library of saved material (V-13): owner only. */
create table public.library_items (
    id bigint generated always as identity primary key,
    user_id uuid not null references public.users (id) on delete cascade,
    title text not null check (char_length(title) between 1 and 300),
    url text check (char_length(url) <= 2000 and url ~ '^https?://'),
    notes text check (char_length(notes) <= 5000),
    created_at timestamptz not null default now()
);
create index library_items_user_id_idx on public.library_items (user_id);

alter table public.library_items enable row level security;
revoke all on table public.library_items from public, anon, authenticated, service_role;

comment on table public.library_items is
'Material a user saved in a personal library. ROPA V-13. Legal basis: Art. 6(1)(e) public task. Retention: account lifetime (cascade).';
comment on column public.library_items.user_id is 'The owner. ROPA V-13. Retention: account lifetime.';
comment on column public.library_items.title is 'Title. ROPA V-13. Retention: account lifetime.';
comment on column public.library_items.url is 'Link. ROPA V-13. Retention: account lifetime.';
comment on column public.library_items.notes is 'Own notes. ROPA V-13. Retention: account lifetime.';
