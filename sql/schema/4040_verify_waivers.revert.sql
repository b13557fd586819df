/*
  Undoes 4040_verify_waivers.sql: the declared exceptions go with their table.
*/
drop table app_private.verify_waiver;
