/*
  Security review fixes on a deployed database (first release up to 4040).

  S-RLS-9: the API roles get no privilege on sequences. Every id is an identity column,
  whose sequence an INSERT uses without any privilege; but Supabase's default
  privileges (and the shim's copy of them) grant USAGE, SELECT and UPDATE on every new
  sequence in public, so `anon` could read platform-wide counters and setval() the
  audit log's sequence until every audited RPC fails. Revoked here for every existing
  sequence; from now on each table's policy file closes its own (reset_table_security
  revokes on the table's sequences too), so later tables are safe under either
  default-privileges regime, and verify's api_role_privilege_beyond_matrix reports any left.
*/
revoke all on all sequences in schema public from public, anon, authenticated, service_role;
revoke all on all sequences in schema app_private from public, anon, authenticated, service_role;

/*
  S-RET-1: presence rows sent with a time in the future would never expire; from now on
  the trigger clamp_last_seen_at keeps them at or before now().
*/
update public.duel_presence set last_seen_at = now()
where last_seen_at > now();

/*
  S-RPC-5: the deletion receipts of the first release hold a plain sha256 of the erased
  user's id, which anyone knowing the ids can recompute. They are anonymised: the
  receipt keeps its number, time and counts.
*/
update public.audit_logs set subject_hash = null
where subject_hash is not null;
comment on column public.audit_logs.subject_hash is
'No longer written (S-RPC-5: a hash of the id re-identifies the receipt); always null. ROPA V-12. Retention: 3 years.';
