/* ai_survey_responses (V-09): the respondent reads and submits their own; nobody else. */
select app_private.reset_table_security('public.ai_survey_responses');

create policy select_own on public.ai_survey_responses for select to authenticated
using (user_id = (select auth.uid()));
comment on policy select_own on public.ai_survey_responses is 'The respondent reads their own answers.';

create policy insert_own on public.ai_survey_responses for insert to authenticated
with check (user_id = (select auth.uid()));
comment on policy insert_own on public.ai_survey_responses is 'A user answers as themself.';

grant select on public.ai_survey_responses to authenticated;
grant insert (user_id, survey_id, answers, feedback_text) on public.ai_survey_responses to authenticated;
grant select, insert, update, delete on public.ai_survey_responses to service_role;
-- NOTE: no update/delete for authenticated: a submitted survey is final; it goes with the account.
