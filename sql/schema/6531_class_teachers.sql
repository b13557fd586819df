/*
  Class scope (S-RLS-7, DPIA §8.1 and risk R08, ROPA V-03/V-04/V-06 "eigen klas"): which
  teacher teaches which class. A teacher teaches several classes and a class has several
  teachers. A teacher reaches the data of the pupils of the classes they teach, not the whole
  school (app_private.my_pupil_ids()). Maintained by the school admin; every change is
  audited as a configuration change (config_change, like classes).

  Class and teacher belong to the same school, enforced by two composite foreign keys on
  (…, school_id): a link cannot join a class of one school to a teacher of another. The link
  goes with the class (and so with the school) and with the teacher's account (cascade).
  A teacher who still teaches classes cannot be moved to another school (23503): their
  links are removed first. school_id is filled from the class by a trigger; clients send
  class_id and teacher_id only.

  users needs a key on (id, school_id) for the composite reference; it is unique because
  id is.
*/
create unique index users_id_school_id_key on public.users (id, school_id);
alter table public.users add constraint users_id_school_id_key unique using index users_id_school_id_key;

create table public.class_teachers (
    class_id uuid not null,
    teacher_id uuid not null,
    school_id uuid not null,
    created_at timestamptz not null default now(),
    primary key (class_id, teacher_id),
    constraint class_teachers_class_in_school foreign key (class_id, school_id)
    references public.classes (id, school_id) on delete cascade,
    constraint class_teachers_teacher_in_school foreign key (teacher_id, school_id)
    references public.users (id, school_id) on delete cascade,
    -- The same reference on its own: the export, the deletion receipt and verify read the
    -- single-column references to users (app_private.user_references()).
    constraint class_teachers_teacher_id_fkey foreign key (teacher_id)
    references public.users (id) on delete cascade
);

-- The teacher dashboard's question "the pupils of my classes" starts from the teacher: one
-- index serves it (index-only, class_id included) and covers the teacher's foreign key; the
-- second covers the class's foreign key (deleting a class).
create index class_teachers_teacher_idx on public.class_teachers (teacher_id, school_id, class_id);
create index class_teachers_class_idx on public.class_teachers (class_id, school_id);

alter table public.class_teachers enable row level security;
revoke all on table public.class_teachers from public, anon, authenticated, service_role;

comment on table public.class_teachers is
'Which teacher teaches which class (many-to-many), within one school. Purpose: bound a teacher''s access to the pupils of the classes they teach (S-RLS-7, DPIA R08). ROPA V-01. Legal basis: Art. 6(1)(b) processor agreement, Art. 6(1)(e) public task. Retention: account lifetime (cascade from the teacher''s account; a link also goes with its class).';
comment on column public.class_teachers.class_id is 'The class taught. ROPA V-01. Retention: account lifetime (goes with the link).';
comment on column public.class_teachers.teacher_id is
'The teacher (or school admin) who teaches the class. ROPA V-01. Retention: account lifetime (cascade).';
comment on column public.class_teachers.school_id is
'School of both class and teacher (filled from the class; keeps the link within one school). ROPA V-01. Retention: account lifetime (goes with the link).';
comment on column public.class_teachers.created_at is 'When the link was made. ROPA V-01. Retention: account lifetime (goes with the link).';
