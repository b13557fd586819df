/*
  Partitions are cut at the cutoffs of the table's purge job (sql/functions/4050_partitions.sql,
  app_private.partition_bounds), no longer at calendar months: a weekly purge that runs on
  schedule then finds every expired row in partitions it drops whole. Only the descriptions
  change here; the calendar months that 6533_partitioned_retention.sql created stay until
  retention drops them, and maintain_partitions adds the new partitions where they end.
  Locks (plan): COMMENT takes SHARE UPDATE EXCLUSIVE on each table for a moment; no rows move.
*/
comment on schema app_partitions is
'Partitions of public.student_activities and public.audit_logs, cut at the cutoffs of their purge jobs (app_private.partition_bounds). Not exposed to the API: no API role has USAGE, every partition has RLS enabled and no grants; rows are reached through the parent tables.';

comment on table app_private.partition_rule is
'Declared partitioned tables: range partitions by ts_column, cut at the cutoffs of the table''s purge job (app_private.partition_bounds), cover the time from back before now to ahead after now (app_private.maintain_partitions). No personal data.';

comment on column public.student_activities.created_at is
'When; the retention clock and the partition key (partitions cut at the weekly purge''s cutoffs). ROPA V-04. Retention: 1 year.';

comment on column public.audit_logs.created_at is
'When; the retention clock and the partition key (partitions cut at the weekly purge''s cutoffs). ROPA V-12. Retention: 3 years.';
