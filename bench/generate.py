"""A realistic platform, generated in bulk and reproducible from a seed.

At scale 1.0: 200 schools, 250 pupils, 10 teachers and 2 admins per school (50,000 pupils),
10 classes per school, each teacher teaching two of them (class_teachers),
1,000,000 student_activities (20 per pupil), and rows in every other table in plausible
proportions (per pupil: 10 progress steps, 10 xp transactions, 4 events, 2 badges,
1 feedback, 4 messages, 2 assessments, ...). On top, HEAVY pupils with more than 5,000 rows
each spread over every table, for the deletion and export benchmarks.

    python -m bench.generate --dsn URL [--scale 0.01] [--seed 42]

Identifiers are derived from the seed (md5), random values come from setseed(), and no
parallel workers run, so the same seed and scale give the same data. Loading runs with
session_replication_role = replica (no triggers, no per-row FK checks) for speed; the
data is consistent by construction and tests/bench/test_generate.py checks every FK.
"""

from __future__ import annotations

import argparse
import time

import psycopg

HEAVY = 5


def _scaled(n: float, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(n * scale))


def generate(dsn: str, scale: float = 1.0, seed: int = 42, quiet: bool = False) -> dict:
    n_schools = _scaled(200, scale, 2)
    pupils_per_school = 250 if scale >= 0.05 else max(5, round(250 * scale * 10))
    p = {"seed": seed, "schools": n_schools, "pps": pupils_per_school, "tps": 10, "aps": 2, "heavy": HEAVY}
    t0 = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute("set session_replication_role = replica")
        c.execute("set max_parallel_workers_per_gather = 0")
        c.execute("set synchronous_commit = off")
        c.execute("select setseed(%s)", (((seed % 1000) / 1000.0),))
        steps = [
            ("schools", """
                insert into public.schools (id, name, contract_ends_on)
                select md5(%(seed)s || 'school' || s)::uuid, 'School ' || s,
                       case when s %% 20 = 0 then current_date - 40 else date '2030-07-31' end
                  from generate_series(1, %(schools)s) s"""),
            ("classes", """
                insert into public.classes (id, school_id, name, year_group)
                select md5(%(seed)s || 'class' || s || '-' || k)::uuid, md5(%(seed)s || 'school' || s)::uuid,
                       'Class ' || k, 1 + (k %% 6)
                  from generate_series(1, %(schools)s) s, generate_series(1, 10) k"""),
            ("auth.users", """
                insert into auth.users (id, email, encrypted_password)
                select md5(%(seed)s || 'user' || s || '-' || r || '-' || k)::uuid,
                       'u' || s || '.' || r || '.' || k || '@school' || s || '.example', 'bcrypt'
                  from generate_series(1, %(schools)s) s,
                       lateral (values ('student', %(pps)s), ('teacher', %(tps)s), ('admin', %(aps)s)) roles(r, n),
                       generate_series(1, n) k"""),
            ("users", """
                insert into public.users (id, school_id, class_id, role, display_name, first_name, last_name, email,
                                          year_group, education_level)
                select md5(%(seed)s || 'user' || s || '-' || r || '-' || k)::uuid, md5(%(seed)s || 'school' || s)::uuid,
                       case when r = 'student' then md5(%(seed)s || 'class' || s || '-' || (1 + k %% 10))::uuid end,
                       r, initcap(r) || ' ' || k, 'Fn' || k, 'Ln' || s,
                       'u' || s || '.' || r || '.' || k || '@school' || s || '.example',
                       case when r = 'student' then 1 + k %% 6 end, 'havo'
                  from generate_series(1, %(schools)s) s,
                       lateral (values ('student', %(pps)s), ('teacher', %(tps)s), ('admin', %(aps)s)) roles(r, n),
                       generate_series(1, n) k"""),
            # Class scope (S-RLS-7): teacher k teaches classes k+1 and k+2 (of 10): two classes
            # each, two teachers per class.
            ("class_teachers", """
                insert into public.class_teachers (class_id, teacher_id, school_id)
                select md5(%(seed)s || 'class' || s || '-' || (1 + (k + j) %% 10))::uuid,
                       md5(%(seed)s || 'user' || s || '-teacher-' || k)::uuid, md5(%(seed)s || 'school' || s)::uuid
                  from generate_series(1, %(schools)s) s, generate_series(1, %(tps)s) k, generate_series(0, 1) j"""),
            ("restrictions", """
                with r as (
                    update public.users set processing_restricted = true, restricted_at = now() - interval '3 days'
                     where role = 'student' and ('x' || substr(md5(%(seed)s || id::text), 1, 4))::bit(16)::int %% 100 = 0
                    returning id, restricted_at)
                insert into public.processing_restrictions (user_id, reason, created_at)
                select id, 'generated', restricted_at from r"""),
        ]
        for name, sql in steps:
            c.execute(sql, p)
        # Per-pupil rows, with the pupil list materialised once.
        c.execute("""create temp table gen_pupils as
                       select u.id, u.school_id, row_number() over (order by u.id) as n,
                              row_number() over (partition by u.school_id order by u.id) as k,
                              (select t.id from public.users t where t.school_id = u.school_id and t.role = 'teacher'
                                order by t.id limit 1) as teacher
                         from public.users u where u.role = 'student'""")
        c.execute("create index on gen_pupils (n)")
        c.execute("analyze gen_pupils")
        per_pupil = [
            ("student_activities", """
                insert into public.student_activities (user_id, activity_type, details, created_at)
                select p.id, (array['module_open', 'quiz', 'video', 'exercise'])[1 + (g %% 4)], '{}'::jsonb,
                       now() - random() * interval '400 days'
                  from gen_pupils p, generate_series(1, 20) g"""),
            ("mission_progress", """
                insert into public.mission_progress (user_id, mission_id, step, status, completed_at, completed_by)
                select p.id, 'mission-' || (g %% 5), g, 'completed', now() - random() * interval '200 days', 'ai'
                  from gen_pupils p, generate_series(1, 10) g"""),
            ("mission_progress_events", """
                insert into public.mission_progress_events (user_id, mission_id, step, actor, new_status,
                                                            new_completed_by, created_at)
                select p.id, 'mission-' || (g %% 5), g, 'ai', 'completed', 'ai', now() - random() * interval '200 days'
                  from gen_pupils p, generate_series(1, 10) g"""),
            ("xp_transactions", """
                insert into public.xp_transactions (user_id, amount, source, created_at)
                select p.id, 10 + (g %% 5) * 10, 'mission', now() - random() * interval '200 days'
                  from gen_pupils p, generate_series(1, 10) g"""),
            ("gamification_events", """
                insert into public.gamification_events (user_id, event_type, created_at)
                select p.id, 'level_up', now() - random() * interval '200 days' from gen_pupils p, generate_series(1, 4) g"""),
            ("user_achievements", """
                insert into public.user_achievements (user_id, badge, earned_at)
                select p.id, 'badge-' || g, now() - random() * interval '200 days' from gen_pupils p, generate_series(1, 2) g"""),
            ("feedback", """
                insert into public.feedback (user_id, module, body, rating, created_at)
                select p.id, 'module-' || (p.n %% 7), 'Generated feedback', 1 + (p.n %% 5)::int,
                       now() - random() * interval '400 days' from gen_pupils p"""),
            ("shared_projects", """
                insert into public.shared_projects (user_id, title, visibility, published_at)
                select p.id, 'Project ' || p.n, case when p.n %% 3 = 0 then 'class' else 'private' end,
                       case when p.n %% 3 = 0 then now() end
                  from gen_pupils p where p.n %% 2 = 0"""),
            ("shared_games", """
                insert into public.shared_games (user_id, title, visibility, published_at, created_at)
                select p.id, 'Game ' || p.n, 'class', now(), now() - random() * interval '400 days'
                  from gen_pupils p where p.n %% 2 = 1"""),
            ("library_items", """
                insert into public.library_items (user_id, title, url) select p.id, 'Article', 'https://example.org/a'
                  from gen_pupils p"""),
            ("ai_survey_responses", """
                insert into public.ai_survey_responses (user_id, survey_id, answers)
                select p.id, 'survey-1', '{"q1": 3}' from gen_pupils p where p.n %% 3 = 0"""),
            ("user_settings", """
                insert into public.user_settings (user_id, settings) select p.id, '{"theme": "light"}' from gen_pupils p"""),
            ("messages", """
                insert into public.messages (sender_id, recipient_id, body, created_at)
                select case when g %% 2 = 0 then p.id else p.teacher end, case when g %% 2 = 0 then p.teacher else p.id end,
                       'Generated message', now() - random() * interval '100 days'
                  from gen_pupils p, generate_series(1, 4) g"""),
            ("duel_presence", """
                insert into public.duel_presence (user_id, last_seen_at)
                select p.id, now() - random() * interval '2 days' from gen_pupils p where p.n %% 3 = 0"""),
            ("duel_challenges", """
                insert into public.duel_challenges (challenger_id, challenged_id, status, created_at)
                select p.id, q.id, 'pending', now() - random() * interval '10 days'
                  from gen_pupils p join gen_pupils q on q.k = p.k + 1 and q.school_id = p.school_id"""),
            ("active_duels", """
                insert into public.active_duels (player1_id, player2_id, created_at)
                select p.id, q.id, now() - random() * interval '10 days'
                  from gen_pupils p join gen_pupils q on q.k = p.k + 1 and q.school_id = p.school_id where p.k %% 2 = 0"""),
            # one pupil in 50 objected to duels (Art. 21): as the objection's trigger would (the
            # triggers are off while generating), they have no presence, pending challenge or running duel
            ("duel_objections", """
                insert into public.duel_objections (user_id, created_at)
                select p.id, now() - random() * interval '100 days' from gen_pupils p where p.n %% 50 = 1"""),
            ("duel_objections: presence", """
                delete from public.duel_presence d using public.duel_objections o where d.user_id = o.user_id"""),
            ("duel_objections: challenges", """
                delete from public.duel_challenges c using public.duel_objections o
                 where c.status = 'pending' and o.user_id in (c.challenger_id, c.challenged_id)"""),
            ("duel_objections: duels", """
                delete from public.active_duels a using public.duel_objections o
                 where a.finished_at is null and o.user_id in (a.player1_id, a.player2_id)"""),
            ("teacher_notes", """
                insert into public.teacher_notes (student_id, author_id, body)
                select p.id, p.teacher, 'Generated note' from gen_pupils p where p.n %% 2 = 0"""),
            ("assessments", """
                insert into public.assessments (student_id, assessor_id, mission_id, ai_score, teacher_score)
                select p.id, p.teacher, 'mission-' || g, 50 + g * 10, 55 + g * 10 from gen_pupils p, generate_series(1, 2) g"""),
            ("audit_logs", """
                insert into public.audit_logs (action, actor_id, subject_id, school_id, metadata, created_at)
                select 'gdpr_data_export', p.id, p.id, p.school_id, '{}', now() - random() * interval '1000 days'
                  from gen_pupils p, generate_series(1, 2) g"""),
            ("pilot_requests", """
                insert into public.pilot_requests (contact_name, email, school_name, contact_role, pupil_count, ip, created_at)
                select 'Contact ' || g, 'c' || g || '@school.example', 'School ' || g, 'ict', 300, '192.0.2.1',
                       now() - random() * interval '1200 days'
                  from generate_series(1, %(schools)s) g"""),
        ]
        for name, sql in per_pupil:
            c.execute(sql, p)
        heavy_ids = add_heavy_pupils(c, p)
        c.execute("set session_replication_role = origin")
        c.execute("analyze")
        # a partitioned table's rows are its partitions' (its own statistics count none)
        counts = {r[0]: int(r[1]) for r in c.execute(
            """select k.relname, coalesce(s.n_live_tup, 0) + coalesce((
                      select sum(ps.n_live_tup) from pg_inherits i
                        join pg_stat_user_tables ps on ps.relid = i.inhrelid
                       where i.inhparent = k.oid), 0)
                 from pg_class k join pg_namespace n on n.oid = k.relnamespace
                 left join pg_stat_user_tables s on s.relid = k.oid
                where n.nspname = 'public' and k.relkind in ('r', 'p') order by k.relname""").fetchall()}
    took = time.perf_counter() - t0
    if not quiet:
        print(f"generated scale {scale} seed {seed} in {took:.1f}s: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return {"heavy": heavy_ids, "seconds": took, "counts": counts}


def add_heavy_pupils(c: psycopg.Connection, p: dict) -> list:
    """HEAVY pupils in school 1 with 5,000+ rows over every table."""
    ids = []
    for h in range(1, HEAVY + 1):
        uid = c.execute("select md5(%s || 'heavy' || %s)::uuid", (p["seed"], h)).fetchone()[0]
        school = c.execute("select md5(%s || 'school1')::uuid", (p["seed"],)).fetchone()[0]
        teacher = c.execute("select id from public.users where school_id = %s and role = 'teacher' order by id limit 1",
                            (school,)).fetchone()[0]
        mate = c.execute("select id from public.users where school_id = %s and role = 'student' order by id limit 1",
                         (school,)).fetchone()[0]
        c.execute("insert into auth.users (id, email) values (%s, %s)", (uid, f"heavy{h}@school1.example"))
        c.execute("""insert into public.users (id, school_id, role, display_name, email, year_group)
                     values (%s, %s, 'student', %s, %s, 3)""", (uid, school, f"Heavy pupil {h}", f"heavy{h}@school1.example"))
        q = {"u": uid, "t": teacher, "m": mate, "s": school}
        for sql in [
            "insert into public.student_activities (user_id, activity_type, created_at) select %(u)s, 'quiz', now() - g * interval '1 hour' from generate_series(1, 3000) g",
            "insert into public.mission_progress (user_id, mission_id, step, status) select %(u)s, 'm' || (g / 100), g, 'in_progress' from generate_series(1, 500) g",
            "insert into public.xp_transactions (user_id, amount, source) select %(u)s, 10, 'quiz' from generate_series(1, 500) g",
            "insert into public.gamification_events (user_id, event_type) select %(u)s, 'streak' from generate_series(1, 300) g",
            "insert into public.user_achievements (user_id, badge) select %(u)s, 'b' || g from generate_series(1, 100) g",
            "insert into public.feedback (user_id, module, body) select %(u)s, 'm', 'fine' from generate_series(1, 100) g",
            "insert into public.shared_projects (user_id, title) select %(u)s, 'p' || g from generate_series(1, 50) g",
            "insert into public.shared_games (user_id, title) select %(u)s, 'g' || g from generate_series(1, 50) g",
            "insert into public.library_items (user_id, title) select %(u)s, 't' || g from generate_series(1, 100) g",
            "insert into public.ai_survey_responses (user_id, survey_id, answers) select %(u)s, 's' || g, '{}' from generate_series(1, 20) g",
            "insert into public.user_settings (user_id) values (%(u)s)",
            "insert into public.messages (sender_id, recipient_id, body) select case when g %% 2 = 0 then %(u)s else %(t)s end, case when g %% 2 = 0 then %(t)s else %(u)s end, 'm' from generate_series(1, 200) g",
            "insert into public.duel_presence (user_id) values (%(u)s)",
            "insert into public.duel_challenges (challenger_id, challenged_id) select %(u)s, %(m)s from generate_series(1, 50) g",
            "insert into public.active_duels (player1_id, player2_id) select %(u)s, %(m)s from generate_series(1, 50) g",
            "insert into public.teacher_notes (student_id, author_id, body) select %(u)s, %(t)s, 'n' from generate_series(1, 50) g",
            "insert into public.assessments (student_id, assessor_id, mission_id) select %(u)s, %(t)s, 'm' from generate_series(1, 100) g",
            "insert into public.audit_logs (action, actor_id, subject_id, school_id) select 'x', %(u)s, %(u)s, %(s)s from generate_series(1, 50) g",
        ]:
            c.execute(sql, q)
        ids.append(uid)
    return ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dsn", required=True)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    generate(a.dsn, a.scale, a.seed)


if __name__ == "__main__":
    main()
