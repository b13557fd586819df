/*
  How many scheduled runs of its purge job one partition spans (app_private.partition_bounds):
  1 cuts a partition at every run's cutoff (student_activities: every expired row goes with a
  whole partition); more cuts at every n-th run only, so a table of few rows keeps few
  partitions (each partition costs every query that has no condition on the partition key:
  the erasure's cascade, the export), and the runs between delete its expired rows in batches.
  Locks (plan): ACCESS EXCLUSIVE on app_private.partition_rule (a few rows, read only by the
  maintenance job) for a moment; a constant default, no rewrite.
*/
alter table app_private.partition_rule
add column runs_per_partition integer not null default 1 check (runs_per_partition between 1 and 53);
comment on column app_private.partition_rule.runs_per_partition is
'How many scheduled runs of the table''s purge job one partition spans: 1 = a partition per run (every expired row goes with a whole partition), n = a partition per n-th run (counted from 1970-01-01 UTC, so the same runs every time), the expired rows of the runs between deleted in batches.';
