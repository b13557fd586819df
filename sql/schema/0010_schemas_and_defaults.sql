/*
  Schemas and deny-by-default.

  app_private holds helpers, trigger functions and the retention declaration; the API
  (PostgREST/Supabase) does not expose it and the API roles get no USAGE on it, so its
  functions can only run when a policy, trigger or RPC calls them.

  On Supabase every new function in public is executable by anon, authenticated and
  service_role by default. Deny by default: revoke EXECUTE from PUBLIC for functions
  this deploying role creates from now on; each RPC then grants explicitly.
*/
create schema if not exists app_private;
revoke all on schema app_private from public;
comment on schema app_private is
'dgskills-db helpers, trigger functions, retention declaration and run log. Not exposed to the API.';

alter default privileges revoke execute on functions from public;
alter default privileges in schema public revoke execute on functions from public;
