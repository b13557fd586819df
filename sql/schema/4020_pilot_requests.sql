/*
  Pilot requests from schools (V-10): the platform is controller here. Inserted only by
  submit_pilot_request() (service_role, the edge function passes the client IP); read
  by developers. Kept 3 years (S-RET-7). pilot_request_attempts is the rate-limit
  bookkeeping (3 per minute per IP); it holds an IP address, so it is purged after a day.
*/
create table public.pilot_requests (
    id bigint generated always as identity primary key,
    contact_name text not null check (char_length(contact_name) between 1 and 200),
    email text not null check (char_length(email) <= 254 and email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
    school_name text not null check (char_length(school_name) between 1 and 200),
    contact_role text not null check (char_length(contact_role) between 1 and 100),
    pupil_count integer check (pupil_count between 1 and 100000),
    message text check (char_length(message) <= 5000),
    ip inet,
    created_at timestamptz not null default now()
);
create index pilot_requests_created_at_idx on public.pilot_requests (created_at);

alter table public.pilot_requests enable row level security;
revoke all on table public.pilot_requests from public, anon, authenticated, service_role;

comment on table public.pilot_requests is
'Requests from schools to join a pilot (contact form). Purpose: follow-up and acquisition. ROPA V-10. Legal basis: Art. 6(1)(b) pre-contractual, Art. 6(1)(f) legitimate interest. Retention: 3 years after created_at (S-RET-7).';
comment on column public.pilot_requests.contact_name is 'Contact person. ROPA V-10. Retention: 3 years.';
comment on column public.pilot_requests.email is 'Contact e-mail. ROPA V-10. Retention: 3 years.';
comment on column public.pilot_requests.school_name is 'School name. ROPA V-10. Retention: 3 years.';
comment on column public.pilot_requests.contact_role is 'Role of the contact at the school. ROPA V-10. Retention: 3 years.';
comment on column public.pilot_requests.pupil_count is 'Estimated number of pupils. ROPA V-10. Retention: 3 years.';
comment on column public.pilot_requests.message is 'Free message. ROPA V-10. Retention: 3 years.';
comment on column public.pilot_requests.ip is 'Client IP (abuse prevention). ROPA V-10. Retention: 3 years.';
comment on column public.pilot_requests.created_at is 'When; the retention clock. ROPA V-10. Retention: 3 years.';

create table app_private.pilot_request_attempts (
    id bigint generated always as identity primary key,
    ip inet not null,
    attempted_at timestamptz not null default now()
);
create index pilot_request_attempts_ip_idx on app_private.pilot_request_attempts (ip, attempted_at);
create index pilot_request_attempts_attempted_at_idx on app_private.pilot_request_attempts (attempted_at);
comment on table app_private.pilot_request_attempts is
'Rate-limit bookkeeping of submit_pilot_request (3 per minute per IP). ROPA V-10. Legal basis: Art. 6(1)(f) abuse prevention. Retention: 1 day after attempted_at.';
comment on column app_private.pilot_request_attempts.ip is 'Client IP. ROPA V-10. Retention: 1 day.';
comment on column app_private.pilot_request_attempts.attempted_at is 'When; the retention clock. ROPA V-10. Retention: 1 day.';
