/*
  The processing register (Art. 30 GDPR, the ROPA) as data, deployed with the schema like
  the retention declaration. sql/register/0100_register.sql seeds it from the ROPA
  (seed 002, version 1.1), in its Dutch wording with an English gloss; `verify` compares it
  with the catalog (checks register_*) and `report` renders the Art. 30 register from it
  with live evidence.

  register_activity: one row per processing activity V-01..V-15 with the fields of the
    ROPA; legal_bases holds the Art. 6(1) points as a set ('b', 'e', ...) so that verify
    can compare them with the table comments; footprint says whether the activity stores
    anything in this database ('database') or deliberately not ('none', with the reason).
  register_category: the personal-data categories of an activity; a category that the
    ROPA does not list is marked origin 'added'; where a category is not held in this
    database, stored says where it is ('elsewhere') or that it is not kept ('not_stored').
  register_column: which table columns hold a category (the mapping verify walks).
  register_table: the activity each table belongs to and its retention: 'account'
    (until the account is deleted), 'school' (until the school is offboarded) or
    'period' with keep (deleted by a retention job).
  register_measure: the technical measures the register claims that the catalog can show
    (rls, cascade, school_scope, class_scope, append_only, retention_job), per table.
  officer_note: where the register text and the database differ and the database is
    right, a note for the privacy officer saying what to correct in the document.
*/
create table app_private.register_activity (
    ropa_id text primary key check (ropa_id ~ '^V-[0-9]{2}$'),
    name_nl text not null,
    name_en text not null,
    controller_nl text not null,
    controller_en text not null,
    processor text,
    purpose_nl text not null,
    purpose_en text not null,
    legal_bases text[] not null check (legal_bases <@ array['a', 'b', 'c', 'd', 'e', 'f']::text[]),
    legal_basis_nl text not null,
    legal_basis_en text not null,
    subjects_nl text not null,
    subjects_en text not null,
    recipients_nl text not null,
    recipients_en text not null,
    transfers_nl text not null,
    transfers_en text not null,
    retention_nl text not null,
    retention_en text not null,
    measures_nl text not null,
    measures_en text not null,
    footprint text not null check (footprint in ('database', 'none')),
    footprint_note text,
    officer_note_nl text,
    officer_note_en text,
    check (footprint = 'database' or footprint_note is not null)
);
comment on table app_private.register_activity is
'The processing activities of the register (V-01 to V-15): the Art. 30 fields in Dutch with an English gloss. Read by verify and report.';

create table app_private.register_category (
    ropa_id text not null references app_private.register_activity (ropa_id) on delete cascade,
    category text not null check (category ~ '^[a-z][a-z0-9_]*$'),
    label_nl text not null,
    label_en text not null,
    origin text not null default 'ropa' check (origin in ('ropa', 'added')),
    stored text not null default 'database' check (stored in ('database', 'elsewhere', 'not_stored')),
    stored_note text,
    primary key (ropa_id, category),
    check (stored = 'database' or stored_note is not null)
);
comment on table app_private.register_category is
'Personal-data categories per activity; origin added = not in the ROPA text; stored = where it is held.';

create table app_private.register_column (
    table_name text not null check (table_name ~ '^[a-z_]+\.[a-z_][a-z0-9_]*$'),
    column_name text not null,
    ropa_id text not null,
    category text not null,
    primary key (table_name, column_name, ropa_id, category),
    foreign key (ropa_id, category) references app_private.register_category (ropa_id, category) on delete cascade
);
create index register_column_category_idx on app_private.register_column (ropa_id, category);
comment on table app_private.register_column is
'Which column holds which personal-data category of which activity.';

create table app_private.register_table (
    table_name text primary key check (table_name ~ '^[a-z_]+\.[a-z_][a-z0-9_]*$'),
    ropa_id text not null references app_private.register_activity (ropa_id) on delete cascade,
    retention text not null check (retention in ('account', 'school', 'period')),
    keep interval,
    check ((retention = 'period') = (keep is not null))
);
create index register_table_ropa_id_idx on app_private.register_table (ropa_id);
comment on table app_private.register_table is
'The activity each table belongs to and its retention (account lifetime, school lifetime, or a period).';

create table app_private.register_measure (
    ropa_id text not null references app_private.register_activity (ropa_id) on delete cascade,
    measure text not null check (
        measure in ('rls', 'cascade', 'school_scope', 'class_scope', 'append_only', 'retention_job')
    ),
    table_name text not null,
    primary key (ropa_id, measure, table_name)
);
comment on table app_private.register_measure is
'Technical measures the register claims for a table that the catalog can show; verify checks each.';

revoke all on table app_private.register_activity, app_private.register_category, app_private.register_column,
app_private.register_table, app_private.register_measure from public, anon, authenticated, service_role;
