/*
  The processing register may also claim a data-subject right as a technical measure the
  catalog can show (V-15: "self-service in-app functionaliteit"): measure 'rpc' names a
  function by its signature in table_name (e.g. public.export_my_data()); verify checks that
  it exists and that signed-in users may execute it.
*/
alter table app_private.register_measure
drop constraint register_measure_measure_check,
add constraint register_measure_measure_check check (
    measure in ('rls', 'cascade', 'school_scope', 'class_scope', 'append_only', 'retention_job', 'rpc')
);
comment on column app_private.register_measure.table_name is
'The table the measure is claimed for; for measure rpc, the function''s signature (schema.name(argument types)).';
