/*
  GENERATED from dgskills_db/declarations/user_columns.toml by
  `python -m dgskills_db.declarations`: do not edit here, edit the declaration.

  For every foreign key to public.users: 'about' (the row is about that user: exported
  whole, erased with the account) or 'actor' (the user only acted on it: the row is kept
  without the name on erasure and exported only as the actor's own access rules show it).
*/

create or replace function app_private.declared_user_columns()
returns table (table_name text, column_name name, kind text)
language sql immutable
set search_path = ''
as $$
    select t.table_name, t.column_name::name, t.kind
    from (values
        ('class_teachers', 'teacher_id', 'about'),
        ('user_settings', 'user_id', 'about'),
        ('mission_progress', 'user_id', 'about'),
        ('mission_progress', 'overridden_by', 'actor'),
        ('mission_progress_events', 'user_id', 'about'),
        ('mission_progress_events', 'actor_id', 'actor'),
        ('xp_transactions', 'user_id', 'about'),
        ('gamification_events', 'user_id', 'about'),
        ('user_achievements', 'user_id', 'about'),
        ('student_activities', 'user_id', 'about'),
        ('shared_projects', 'user_id', 'about'),
        ('shared_games', 'user_id', 'about'),
        ('feedback', 'user_id', 'about'),
        ('teacher_notes', 'student_id', 'about'),
        ('teacher_notes', 'author_id', 'actor'),
        ('assessments', 'student_id', 'about'),
        ('assessments', 'assessor_id', 'actor'),
        ('ai_survey_responses', 'user_id', 'about'),
        ('library_items', 'user_id', 'about'),
        ('messages', 'sender_id', 'about'),
        ('messages', 'recipient_id', 'about'),
        ('duel_presence', 'user_id', 'about'),
        ('duel_challenges', 'challenger_id', 'about'),
        ('duel_challenges', 'challenged_id', 'about'),
        ('active_duels', 'player1_id', 'about'),
        ('active_duels', 'player2_id', 'about'),
        ('audit_logs', 'subject_id', 'about'),
        ('audit_logs', 'actor_id', 'actor'),
        ('processing_restrictions', 'user_id', 'about'),
        ('duel_objections', 'user_id', 'about')
    ) as t (table_name, column_name, kind)
$$;
comment on function app_private.declared_user_columns() is
'The declaration of dgskills_db/declarations/user_columns.toml: each column referencing users is about (subject) or actor.';

revoke all on function app_private.declared_user_columns() from public, anon, authenticated, service_role;
grant execute on function app_private.declared_user_columns() to authenticated;
