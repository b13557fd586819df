"""The benchmark queries, shared by `make bench` and the plan test."""

# A teacher's dashboard: activity counts per pupil of the classes they teach over the last
# 7 days. Through RLS, the policy restricts the rows to the teacher's (unrestricted) pupils:
# class scope (S-RLS-7), app_private.my_pupil_ids().
DASHBOARD_RLS = """
select user_id, count(*) as activities
  from public.student_activities
 where created_at > now() - interval '7 days'
 group by user_id
"""

# The same as the table owner with the equivalent explicit filter: the pupils of the
# teacher's classes (class_teachers), unrestricted.
DASHBOARD_EXPLICIT = """
select a.user_id, count(*) as activities
  from public.student_activities a
 where a.created_at > now() - interval '7 days'
   and a.user_id in (select u.id
                       from public.class_teachers ct
                       join public.users u on u.class_id = ct.class_id and u.school_id = ct.school_id
                      where ct.teacher_id = %(teacher)s and u.role = 'student' and not u.processing_restricted)
 group by a.user_id
"""

# A pupil's own data: their activity of the last 30 days, newest first.
OWN_RLS = """
select id, activity_type, created_at
  from public.student_activities
 where created_at > now() - interval '30 days'
 order by created_at desc
 limit 100
"""

OWN_EXPLICIT = """
select id, activity_type, created_at
  from public.student_activities
 where created_at > now() - interval '30 days' and user_id = %(pupil)s
 order by created_at desc
 limit 100
"""
