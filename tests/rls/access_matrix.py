"""SPEC §6, the access matrix, as data: one entry per (table, persona) with four
outcomes for select, insert, update and delete. The tests run every cell against the
database; the README's matrix is rendered from this same data (and a test checks it).

Outcomes:
  A  allowed: the row is seen / written
  F  silently filtered by a USING policy: zero rows
  C  refused by a WITH CHECK policy: 42501 "new row violates row-level security policy"
  D  refused for lack of a privilege (GRANT): 42501 "permission denied"

Each statement targets the row "about the subject pupil" (for schools: School A, for
classes: a class of School A, for pilot_requests: a request). Inserts write a row about
the subject, authored by the persona where the table has an author.

Run `python tests/rls/access_matrix.py` to print the README table.
"""

from __future__ import annotations

PERSONAS = [
    "subject", "student-same-school", "teacher-same-school", "admin-same-school",
    "teacher-other-school", "admin-other-school", "student-other-school", "developer", "anon", "service_role",
]
ACTIONS = {"S": "select", "I": "insert", "U": "update", "D": "delete"}

_OTHER = ("teacher-other-school", "admin-other-school", "student-other-school", "developer")


def _m(subject, same_student, same_teacher, same_admin, other, developer=None, service="AAAA"):
    d = {"subject": subject, "student-same-school": same_student, "teacher-same-school": same_teacher,
         "admin-same-school": same_admin, "developer": developer or other, "anon": "DDDD", "service_role": service}
    for p in _OTHER[:3]:
        d[p] = other
    return d


TRACKING = dict(subject="ADDD", same_student="FDDD", same_teacher="ADDD", same_admin="ADDD", other="FDDD")

TABLES: dict[str, dict] = {
    "users": dict(
        where="id = %(subject)s", set="display_name = display_name",
        insert="insert into public.users (id, school_id, role, display_name) values (%(spare)s, %(school_a)s, 'student', 'New')",
        matrix=_m("ADAD", "FDFD", "ADFD", "ADAD", "FDFD")),
    "schools": dict(
        where="id = %(school_a)s", set="name = name", delete_where="id = %(school_empty)s",
        insert="insert into public.schools (name) values ('New school')",
        matrix=_m("ADDD", "ADDD", "ADDD", "ADDD", "FDDD", developer="ADDD")),
    "classes": dict(
        where="id = %(class_a1)s", set="name = name",
        insert="insert into public.classes (school_id, name) values (%(school_a)s, 'New class')",
        matrix=_m("ACFF", "ACFF", "ACFF", "AAAA", "FCFF")),
    "user_settings": dict(
        where="user_id = %(subject)s", set="settings = settings",
        before_insert="delete from public.user_settings where user_id = %(subject)s",
        insert="insert into public.user_settings (user_id, settings) values (%(subject)s, '{}')",
        matrix=_m("AAAA", "FCFF", "FCFF", "FCFF", "FCFF")),
    "mission_progress": dict(
        where="id = %(row)s", set="step = step",
        insert="insert into public.mission_progress (user_id, mission_id, step) values (%(subject)s, 'm2', 1)",
        matrix=_m(**TRACKING)),
    "mission_progress_events": dict(
        where="user_id = %(subject)s", set="new_status = new_status",
        insert="insert into public.mission_progress_events (user_id, mission_id, step, actor, new_status) values (%(subject)s, 'm2', 1, 'ai', 'completed')",
        matrix=_m(**TRACKING, service="ADDD")),
    "xp_transactions": dict(
        where="id = %(row)s", set="amount = amount",
        insert="insert into public.xp_transactions (user_id, amount, source) values (%(subject)s, 10, 'x')",
        matrix=_m(**TRACKING, service="ADDD")),
    "gamification_events": dict(
        where="id = %(row)s", set="event_type = event_type",
        insert="insert into public.gamification_events (user_id, event_type) values (%(subject)s, 'x')",
        matrix=_m(**TRACKING)),
    "user_achievements": dict(
        where="id = %(row)s", set="badge = badge",
        insert="insert into public.user_achievements (user_id, badge) values (%(subject)s, 'new_badge')",
        matrix=_m(**TRACKING)),
    "student_activities": dict(
        where="id = %(row)s", set="activity_type = activity_type",
        insert="insert into public.student_activities (user_id, activity_type) values (%(subject)s, 'x')",
        matrix=_m("AADD", "FCDD", "ACDD", "ACDD", "FCDD")),
    "feedback": dict(
        where="id = %(row)s", set="module = module",
        insert="insert into public.feedback (user_id, module, body) values (%(subject)s, 'm', 'b')",
        matrix=_m("AADA", "FCDF", "ACDF", "ACDF", "FCDF")),
    "shared_projects": dict(
        where="id = %(row)s", set="title = title",
        insert="insert into public.shared_projects (user_id, title) values (%(subject)s, 'x')",
        matrix=_m("AAAA", "ACFF", "ACFF", "ACFF", "FCFF")),
    "shared_games": dict(
        where="id = %(row)s", set="title = title",
        insert="insert into public.shared_games (user_id, title) values (%(subject)s, 'x')",
        matrix=_m("AAAA", "ACFF", "ACFF", "ACFF", "FCFF")),
    "teacher_notes": dict(
        where="id = %(row)s", set="body = body",
        insert="insert into public.teacher_notes (student_id, author_id, body) values (%(subject)s, %(me)s, 'n')",
        matrix=_m("FCFF", "FCFF", "AAAA", "AAFF", "FCFF")),
    "assessments": dict(
        where="id = %(row)s", set="teacher_score = teacher_score",
        insert="insert into public.assessments (student_id, assessor_id, mission_id, teacher_score) values (%(subject)s, %(me)s, 'm2', 80)",
        matrix=_m("ACFD", "FCFD", "AAAD", "AAAD", "FCFD")),
    "messages": dict(
        where="id = %(row)s", set="read_at = now()",
        insert="insert into public.messages (sender_id, recipient_id, body) values (%(me)s, %(peer)s, 'hi')",
        matrix=_m("AAAD", "FCFD", "AAFD", "FAFD", "FCFD")),
    "duel_presence": dict(
        where="user_id = %(subject)s", set="last_seen_at = last_seen_at",
        before_insert="delete from public.duel_presence where user_id = %(subject)s",
        insert="insert into public.duel_presence (user_id) values (%(subject)s)",
        matrix=_m("AAAA", "ACFF", "FCFF", "FCFF", "FCFF")),
    "duel_challenges": dict(
        where="id = %(row)s", set="status = status",
        insert="insert into public.duel_challenges (challenger_id, challenged_id) values (%(subject)s, %(student_same)s)",
        matrix=_m("AAFD", "FCFD", "FCFD", "FCFD", "FCFD")),
    "active_duels": dict(
        where="id = %(row)s", set="player1_score = player1_score",
        insert="insert into public.active_duels (player1_id, player2_id) values (%(subject)s, %(student_same)s)",
        matrix=_m("ADDD", "FDDD", "FDDD", "FDDD", "FDDD")),
    "ai_survey_responses": dict(
        where="id = %(row)s", set="survey_id = survey_id",
        insert="insert into public.ai_survey_responses (user_id, survey_id, answers) values (%(subject)s, 's2', '{}')",
        matrix=_m("AADA", "FCDF", "FCDF", "FCDF", "FCDF")),
    "library_items": dict(
        where="id = %(row)s", set="title = title",
        insert="insert into public.library_items (user_id, title) values (%(subject)s, 't')",
        matrix=_m("AAAA", "FCFF", "FCFF", "FCFF", "FCFF")),
    "audit_logs": dict(
        where="id = %(row)s", set="action = action",
        insert="insert into public.audit_logs (action, subject_id) values ('x', %(subject)s)",
        matrix=_m("ADDD", "FDDD", "FDDD", "ADDD", "FDDD", service="AADD")),
    "pilot_requests": dict(
        where="id = %(row)s", set="message = message",
        insert="insert into public.pilot_requests (contact_name, email, school_name, contact_role) values ('a', 'a@b.nl', 's', 'r')",
        matrix=_m("FDDD", "FDDD", "FDDD", "FDDD", "FDDD", developer="ADDD", service="ADDA")),
}


def cells():
    for table, spec in TABLES.items():
        for persona in PERSONAS:
            codes = spec["matrix"][persona]
            for i, action in enumerate("SIUD"):
                yield table, persona, action, codes[i]


_WORDS = {"A": "✔", "F": "·", "C": "✘ check", "D": "✘ grant"}


def render_markdown() -> str:
    """The README table: one row per table, one column per persona, SIUD allowed letters."""
    head = "| table | " + " | ".join(PERSONAS) + " |"
    sep = "|---|" + "---|" * len(PERSONAS)
    lines = [head, sep]
    for table, spec in TABLES.items():
        cells_ = []
        for p in PERSONAS:
            codes = spec["matrix"][p]
            allowed = "".join(a for a, c in zip("SIUD", codes) if c == "A")
            cells_.append(allowed or "—")
        lines.append(f"| `{table}` | " + " | ".join(cells_) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_markdown(), end="")
