"""The fixture platform on which the access matrix (declarations/access.toml) is tried, by
the tests and by the pgTAP files `migrate.py gen pgtap` writes: two schools (A and B) plus an
empty one, every persona of the matrix, and rows in every table about the pupil `subject`.
School A has classes 2A (the subject's and student-same-school's, taught by the class-teacher,
who is also teacher-same-school) and 2B (bystander-pupil's, taught by other-class-teacher);
and, per table, the statements that try each cell against that platform (PROBES).
Written as the deploying superuser (never used to test RLS)."""

from __future__ import annotations

import dataclasses
import json
import uuid

import psycopg


@dataclasses.dataclass
class World:
    school_a: uuid.UUID
    school_b: uuid.UUID
    school_empty: uuid.UUID
    class_a1: uuid.UUID
    class_a2: uuid.UUID
    class_b1: uuid.UUID
    users: dict[str, uuid.UUID]  # persona -> id
    spare_auth_id: uuid.UUID      # an auth account without a profile (service_role creates it)
    rows: dict[str, int]          # table -> id of the row about the subject (bigint ids)

    def uid(self, persona: str) -> uuid.UUID | None:
        return self.users.get(persona)


def add_user(conn: psycopg.Connection, role: str, school, cls=None, name=None, restricted=False,
             email=None) -> uuid.UUID:
    uid = uuid.uuid4()
    email = email or f"{uid.hex[:10]}@school.example"
    conn.execute("insert into auth.users (id, email, encrypted_password) values (%s, %s, 'bcrypt-hash')", (uid, email))
    conn.execute(
        """insert into public.users (id, school_id, class_id, role, display_name, first_name, last_name, email,
                                     year_group, education_level, processing_restricted, restricted_at)
           values (%s, %s, %s, %s, %s, 'Fn', 'Ln', %s, %s, 'havo', %s, case when %s then now() end)""",
        (uid, school, cls, role, name or f"{role}-{uid.hex[:6]}", email, 2 if role == "student" else None,
         restricted, restricted),
    )
    return uid


def ins(conn, sql: str, *params):
    return conn.execute(sql, params).fetchone()[0]


def build(conn: psycopg.Connection) -> World:
    sa = ins(conn, "insert into public.schools (name, contract_ends_on) values ('School A', '2030-07-31') returning id")
    sb = ins(conn, "insert into public.schools (name) values ('School B') returning id")
    se = ins(conn, "insert into public.schools (name) values ('School Empty') returning id")
    ca1 = ins(conn, "insert into public.classes (school_id, name, year_group) values (%s, '2A', 2) returning id", sa)
    ca2 = ins(conn, "insert into public.classes (school_id, name, year_group) values (%s, '2B', 2) returning id", sa)
    cb1 = ins(conn, "insert into public.classes (school_id, name, year_group) values (%s, '3C', 3) returning id", sb)
    u = {
        "subject": add_user(conn, "student", sa, ca1, "Subject Pupil"),
        "student-same-school": add_user(conn, "student", sa, ca1),
        "teacher-same-school": add_user(conn, "teacher", sa),
        "admin-same-school": add_user(conn, "admin", sa),
        "teacher-other-school": add_user(conn, "teacher", sb),
        "admin-other-school": add_user(conn, "admin", sb),
        "student-other-school": add_user(conn, "student", sb, cb1),
        "developer": add_user(conn, "developer", None),
        "bystander-pupil": add_user(conn, "student", sa, ca2),
        "other-class-teacher": add_user(conn, "teacher", sa),
    }
    # Class scope (S-RLS-7): teacher-same-school teaches the subject's class 2A, so it is the
    # matrix's persona "class-teacher"; other-class-teacher teaches 2B (bystander-pupil's) only.
    u["class-teacher"] = u["teacher-same-school"]
    conn.execute("insert into public.class_teachers (class_id, teacher_id) values (%s, %s), (%s, %s)",
                 (ca1, u["teacher-same-school"], ca2, u["other-class-teacher"]))
    spare = uuid.uuid4()
    conn.execute("insert into auth.users (id, email) values (%s, 'spare@school.example')", (spare,))
    s, t = u["subject"], u["teacher-same-school"]
    rows: dict[str, int] = {}
    conn.execute("insert into public.user_settings (user_id, settings) values (%s, '{\"theme\": \"dark\"}')", (s,))
    rows["mission_progress"] = ins(conn, """insert into public.mission_progress (user_id, mission_id, step, status, completed_at, completed_by)
                                            values (%s, 'm1', 1, 'completed', now(), 'ai') returning id""", s)
    rows["xp_transactions"] = ins(conn, "insert into public.xp_transactions (user_id, amount, source) values (%s, 50, 'mission') returning id", s)
    rows["gamification_events"] = ins(conn, "insert into public.gamification_events (user_id, event_type) values (%s, 'level_up') returning id", s)
    rows["user_achievements"] = ins(conn, "insert into public.user_achievements (user_id, badge) values (%s, 'first_steps') returning id", s)
    rows["student_activities"] = ins(conn, "insert into public.student_activities (user_id, activity_type) values (%s, 'module_open') returning id", s)
    rows["shared_projects"] = ins(conn, "insert into public.shared_projects (user_id, title, visibility, published_at) values (%s, 'My site', 'class', now()) returning id", s)
    rows["shared_games"] = ins(conn, "insert into public.shared_games (user_id, title, visibility, published_at) values (%s, 'My game', 'class', now()) returning id", s)
    rows["feedback"] = ins(conn, "insert into public.feedback (user_id, module, body, rating) values (%s, 'ai-basics', 'nice', 4) returning id", s)
    rows["teacher_notes"] = ins(conn, "insert into public.teacher_notes (student_id, author_id, body) values (%s, %s, 'works hard') returning id", s, t)
    rows["assessments"] = ins(conn, "insert into public.assessments (student_id, assessor_id, mission_id, ai_score, teacher_score) values (%s, %s, 'm1', 70, 75) returning id", s, t)
    rows["messages"] = ins(conn, "insert into public.messages (sender_id, recipient_id, body) values (%s, %s, 'hello') returning id", t, s)
    conn.execute("insert into public.duel_presence (user_id) values (%s)", (s,))
    rows["duel_challenges"] = ins(conn, "insert into public.duel_challenges (challenger_id, challenged_id) values (%s, %s) returning id", s, u["bystander-pupil"])
    rows["active_duels"] = ins(conn, "insert into public.active_duels (player1_id, player2_id) values (%s, %s) returning id", s, u["bystander-pupil"])
    rows["ai_survey_responses"] = ins(conn, "insert into public.ai_survey_responses (user_id, survey_id, answers) values (%s, 's1', '{\"q1\": 3}') returning id", s)
    rows["library_items"] = ins(conn, "insert into public.library_items (user_id, title, url) values (%s, 'Article', 'https://example.org') returning id", s)
    rows["audit_logs"] = ins(conn, """insert into public.audit_logs (action, actor_id, subject_id, school_id, metadata)
                                      values ('gdpr_data_export', %s, %s, %s, '{}') returning id""", s, s, sa)
    rows["pilot_requests"] = ins(conn, """insert into public.pilot_requests (contact_name, email, school_name, contact_role, pupil_count, ip)
                                          values ('Jan', 'jan@school.example', 'School X', 'ict', 300, '192.0.2.1') returning id""")
    # Rows of others, so that filters have something to filter.
    other = u["student-other-school"]
    conn.execute("insert into public.student_activities (user_id, activity_type) values (%s, 'module_open'), (%s, 'quiz')",
                 (other, u["student-same-school"]))
    conn.execute("insert into public.shared_projects (user_id, title, visibility) values (%s, 'Private', 'private')", (s,))
    return World(sa, sb, se, ca1, ca2, cb1, u, spare, rows)


def as_json(w: World) -> str:
    return json.dumps(dataclasses.asdict(w), default=str)


# -- how each cell of the access matrix is tried ------------------------------------------
# Per table: `where` picks the row about the subject (select, update, delete), `set` is a
# harmless update, `insert` adds a row about the subject (authored by the persona, %(me)s,
# where the table has an author), `before_insert` (run as the owner first, in the same
# transaction) makes room where a table holds one row per user (or sets up what an insert
# needs), `before` (likewise, for select, update and delete) adds the row about the subject
# where the fixture holds none because it would change the subject's state for every other
# table (a restricted pupil), `delete_where` overrides `where` for delete. Parameters: see params().

PROBES: dict[str, dict[str, str]] = {
    "users": dict(
        where="id = %(subject)s",
        set="display_name = display_name",
        insert="insert into public.users (id, school_id, role, display_name) values (%(spare)s, %(school_a)s, 'student', 'New')"),
    "schools": dict(
        where="id = %(school_a)s",
        set="name = name",
        delete_where="id = %(school_empty)s",
        insert="insert into public.schools (name) values ('New school')"),
    "classes": dict(
        where="id = %(class_a1)s",
        set="name = name",
        insert="insert into public.classes (school_id, name) values (%(school_a)s, 'New class')"),
    "class_teachers": dict(
        where="class_id = %(class_a1)s",
        set="created_at = created_at",
        before_insert="delete from public.class_teachers where class_id = %(class_a1)s",
        insert="insert into public.class_teachers (class_id, teacher_id) values (%(class_a1)s, %(me)s)"),
    "user_settings": dict(
        where="user_id = %(subject)s",
        set="settings = settings",
        before_insert="delete from public.user_settings where user_id = %(subject)s",
        insert="insert into public.user_settings (user_id, settings) values (%(subject)s, '{}')"),
    "mission_progress": dict(
        where="id = %(row)s",
        set="step = step",
        insert="insert into public.mission_progress (user_id, mission_id, step) values (%(subject)s, 'm2', 1)"),
    "mission_progress_events": dict(
        where="user_id = %(subject)s",
        set="new_status = new_status",
        insert="insert into public.mission_progress_events (user_id, mission_id, step, actor, new_status) values (%(subject)s, 'm2', 1, 'ai', 'completed')"),
    "xp_transactions": dict(
        where="id = %(row)s",
        set="amount = amount",
        insert="insert into public.xp_transactions (user_id, amount, source) values (%(subject)s, 10, 'x')"),
    "gamification_events": dict(
        where="id = %(row)s",
        set="event_type = event_type",
        insert="insert into public.gamification_events (user_id, event_type) values (%(subject)s, 'x')"),
    "user_achievements": dict(
        where="id = %(row)s",
        set="badge = badge",
        insert="insert into public.user_achievements (user_id, badge) values (%(subject)s, 'new_badge')"),
    "student_activities": dict(
        where="id = %(row)s",
        set="activity_type = activity_type",
        insert="insert into public.student_activities (user_id, activity_type) values (%(subject)s, 'x')"),
    "feedback": dict(
        where="id = %(row)s",
        set="module = module",
        insert="insert into public.feedback (user_id, module, body) values (%(subject)s, 'm', 'b')"),
    "shared_projects": dict(
        where="id = %(row)s",
        set="title = title",
        insert="insert into public.shared_projects (user_id, title) values (%(subject)s, 'x')"),
    "shared_games": dict(
        where="id = %(row)s",
        set="title = title",
        insert="insert into public.shared_games (user_id, title) values (%(subject)s, 'x')"),
    "teacher_notes": dict(
        where="id = %(row)s",
        set="body = body",
        insert="insert into public.teacher_notes (student_id, author_id, body) values (%(subject)s, %(me)s, 'n')"),
    "assessments": dict(
        where="id = %(row)s",
        set="teacher_score = teacher_score",
        insert="insert into public.assessments (student_id, assessor_id, mission_id, teacher_score) values (%(subject)s, %(me)s, 'm2', 80)"),
    "messages": dict(
        where="id = %(row)s",
        set="read_at = now()",
        insert="insert into public.messages (sender_id, recipient_id, body) values (%(me)s, %(peer)s, 'hi')"),
    "duel_presence": dict(
        where="user_id = %(subject)s",
        set="last_seen_at = last_seen_at",
        before_insert="delete from public.duel_presence where user_id = %(subject)s",
        insert="insert into public.duel_presence (user_id) values (%(subject)s)"),
    "duel_challenges": dict(
        where="id = %(row)s",
        set="status = status",
        insert="insert into public.duel_challenges (challenger_id, challenged_id) values (%(subject)s, %(student_same)s)"),
    "active_duels": dict(
        where="id = %(row)s",
        set="player1_score = player1_score",
        insert="insert into public.active_duels (player1_id, player2_id) values (%(subject)s, %(student_same)s)"),
    "ai_survey_responses": dict(
        where="id = %(row)s",
        set="survey_id = survey_id",
        insert="insert into public.ai_survey_responses (user_id, survey_id, answers) values (%(subject)s, 's2', '{}')"),
    "library_items": dict(
        where="id = %(row)s",
        set="title = title",
        insert="insert into public.library_items (user_id, title) values (%(subject)s, 't')"),
    "audit_logs": dict(
        where="id = %(row)s",
        set="action = action",
        insert="insert into public.audit_logs (action, subject_id) values ('x', %(subject)s)"),
    "pilot_requests": dict(
        where="id = %(row)s",
        set="message = message",
        insert="insert into public.pilot_requests (contact_name, email, school_name, contact_role) values ('a', 'a@b.nl', 's', 'r')"),
    "processing_restrictions": dict(
        before="with r as (update public.users set processing_restricted = true, restricted_at = now()"
               " where id = %(subject)s returning id)"
               " insert into public.processing_restrictions (user_id, reason) select id, 'fixture' from r",
        where="user_id = %(subject)s",
        set="reason = reason",
        before_insert="update public.users set processing_restricted = true, restricted_at = now() where id = %(subject)s",
        insert="insert into public.processing_restrictions (user_id, reason) values (%(subject)s, 'x')"),
    "duel_objections": dict(
        before="insert into public.duel_objections (user_id) values (%(subject)s)",
        where="user_id = %(subject)s",
        set="created_at = created_at",
        insert="insert into public.duel_objections (user_id) values (%(subject)s)"),
}


def params(world: World, table: str, persona: str) -> dict:
    """The parameters of a probe for `persona` on `table`."""
    u = world.users
    me = u.get(persona)
    if me is None or persona == "subject" and table in ("teacher_notes", "assessments"):
        me = me or u["teacher-same-school"]
    return {
        "subject": u["subject"], "student_same": u["student-same-school"], "spare": world.spare_auth_id,
        "school_a": world.school_a, "school_empty": world.school_empty, "class_a1": world.class_a1,
        "row": world.rows.get(table), "me": me,
        "peer": u["teacher-same-school"] if persona == "subject" else u["subject"],
    }


def probe(table: str, action: str) -> tuple[str, str | None]:
    """(the statement that tries `action` on `table`, the owner's statement to run before it or None)."""
    spec = PROBES[table]
    if action == "select":
        return f"select count(*) from public.{table} where {spec['where']}", spec.get("before")
    if action == "insert":
        return spec["insert"], spec.get("before_insert")
    if action == "update":
        return f"update public.{table} set {spec['set']} where {spec['where']}", spec.get("before")
    if action == "delete":
        return f"delete from public.{table} where {spec.get('delete_where', spec['where'])}", spec.get("before")
    raise ValueError(f"unknown action {action!r}")
