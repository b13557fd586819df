/*
  Pilot requests (ROPA V-10). The edge function (service_role) passes the client IP.
  Every field is validated and bounded; a filled honeypot is accepted silently and
  stored nowhere; more than 3 requests per minute from one client are refused with
  PT429 (PostgREST answers HTTP 429). A client is its host, not the exact inet value:
  an IPv4 address whatever netmask is sent (/32), also when it arrives embedded in IPv6
  (IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d), an IPv6 address by its /64 (one
  subscriber's prefix, whose addresses are free to rotate). Requests per client are
  serialised by an advisory lock so that concurrent requests cannot slip past the limit.
*/
create or replace function app_private.rate_limit_key(p_ip inet)
returns inet
language plpgsql immutable strict
set search_path = ''
as $$
declare
    v_host inet := pg_catalog.set_masklen(p_ip, case pg_catalog.family(p_ip) when 4 then 32 else 128 end);
    v_embedding inet;
begin
    if pg_catalog.family(v_host) = 4 then
        return v_host;
    end if;
    -- An IPv4 host in IPv6 clothing is that IPv4 host: IPv4-mapped (::ffff:0:0/96, what a
    -- dual-stack socket reports) and the well-known NAT64 prefix (64:ff9b::/96, RFC 6052).
    foreach v_embedding in array array['::ffff:0:0/96', '64:ff9b::/96']::inet[] loop
        if v_host <<= v_embedding then
            return '0.0.0.0'::inet + (v_host - pg_catalog.host(v_embedding)::inet);
        end if;
    end loop;
    return pg_catalog.network(pg_catalog.set_masklen(v_host, 64))::inet;
end
$$;
comment on function app_private.rate_limit_key(inet) is
'The client a pilot request is counted against: the IPv4 host (/32; also when sent IPv4-mapped ::ffff:a.b.c.d or as NAT64 64:ff9b::a.b.c.d) or the IPv6 /64, whatever netmask was sent.';
revoke all on function app_private.rate_limit_key(inet) from public, anon, authenticated, service_role;

create or replace function public.submit_pilot_request(
    contact_name text, email text, school_name text, contact_role text, pupil_count integer,
    message text, ip inet, honeypot text default null
)
returns jsonb
language plpgsql volatile security definer
set search_path = ''
as $$
declare
    v_name text;
    v_email text;
    v_school text;
    v_role text;
    v_message text;
    v_id bigint;
    v_client inet;
begin
    if ip is null then
        raise exception using errcode = '22023', message = 'ip is required';
    end if;
    if coalesce(pg_catalog.btrim(honeypot), '') <> '' then
        return pg_catalog.jsonb_build_object('accepted', true);
    end if;
    v_name := app_private.check_text('contact_name', contact_name, 1, 200);
    v_email := pg_catalog.lower(app_private.check_text('email', email, 3, 254));
    if v_email !~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$' then
        raise exception using errcode = '22023', message = 'email is not an e-mail address';
    end if;
    v_school := app_private.check_text('school_name', school_name, 1, 200);
    v_role := app_private.check_text('contact_role', contact_role, 1, 100);
    v_message := app_private.check_text('message', message, 0, 5000);
    if pupil_count is not null and pupil_count not between 1 and 100000 then
        raise exception using errcode = '22023', message = 'pupil_count must be between 1 and 100000';
    end if;
    v_client := app_private.rate_limit_key(ip);
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('submit_pilot_request:' || v_client::text));
    if (select count(*) from app_private.pilot_request_attempts as a
        where a.ip = v_client and a.attempted_at > pg_catalog.now() - interval '1 minute') >= 3 then
        raise exception using errcode = 'PT429', message = 'too many pilot requests from this address; try again in a minute';
    end if;
    insert into app_private.pilot_request_attempts (ip) values (v_client);
    insert into public.pilot_requests (contact_name, email, school_name, contact_role, pupil_count, message, ip)
    values (v_name, v_email, v_school, v_role, pupil_count, v_message, submit_pilot_request.ip)
    returning id into v_id;
    return pg_catalog.jsonb_build_object('accepted', true, 'id', v_id);
end
$$;
comment on function public.submit_pilot_request(text, text, text, text, integer, text, inet, text) is
'RPC (service_role only): validates and stores a pilot request (ROPA V-10). 22023 bad field, PT429 more than 3 per minute from one host (IPv4) or one /64 (IPv6). A filled honeypot returns {accepted: true} and stores nothing.';
revoke all on function public.submit_pilot_request(text, text, text, text, integer, text, inet, text)
from public, anon, authenticated, service_role;
grant execute on function public.submit_pilot_request(text, text, text, text, integer, text, inet, text) to service_role;
