/*
  audit_logs (V-12): append-only for every API role (S-RLS-3): select for
  authenticated, select and insert for service_role, no update, delete or truncate for
  anyone. A user reads entries about themself; a school admin reads their school's,
  except the entries about a pupil whose processing is restricted (S-RLS-6: step
  overrides, assessments and the like carry the pupil's data in metadata).
*/
select app_private.reset_table_security('public.audit_logs');

create policy select_self_or_admin on public.audit_logs for select to authenticated
using (
    subject_id = (select auth.uid())
    or (
        (select app_private.is_admin()) and school_id = (select app_private.current_school_id())
        and (subject_id is null or subject_id <> all((select app_private.audit_hidden_subject_ids())::uuid[]))
    )
);
comment on policy select_self_or_admin on public.audit_logs is
'A user reads the entries about themself; a school admin reads the entries of their school, except those about a pupil whose processing is restricted (also after the pupil moved to another school).';

grant select on public.audit_logs to authenticated;
grant select, insert on public.audit_logs to service_role;
-- NOTE: update, delete and truncate are granted to no API role: the log is append-only.
-- Rows go only by the 3-year retention job (S-RET-6) or with the subject's account.
