/*
  Declared exceptions to `migrate.py verify`. A finding is waived only by a row here
  (check name and object, exactly as verify prints them) with the reason; verify then
  reports it as INFO ("waived: <reason>") and `report` lists every waiver, so an
  exception is visible to the privacy officer instead of silenced. Seeded by
  sql/policies/9000_verify_waivers.sql.
*/
create table app_private.verify_waiver (
    check_name text not null,
    object text not null,
    reason text not null check (char_length(reason) >= 20),
    primary key (check_name, object)
);
comment on table app_private.verify_waiver is
'Declared, commented exceptions to verify checks; listed by report.';
