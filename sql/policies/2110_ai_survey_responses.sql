/*
  ai_survey_responses (V-09): the respondent reads and submits their own; nobody else.
  The legal basis is consent (Art. 6(1)(a)), which can be withdrawn at any time
  (Art. 7(3)): the respondent deletes their own answers.
*/
select app_private.reset_table_security('public.ai_survey_responses');

create policy select_own on public.ai_survey_responses for select to authenticated
using (user_id = (select auth.uid()));
comment on policy select_own on public.ai_survey_responses is 'The respondent reads their own answers.';

create policy insert_own on public.ai_survey_responses for insert to authenticated
with check (user_id = (select auth.uid()));
comment on policy insert_own on public.ai_survey_responses is 'A user answers as themself.';

create policy delete_own on public.ai_survey_responses for delete to authenticated
using (user_id = (select auth.uid()));
comment on policy delete_own on public.ai_survey_responses is
'The respondent withdraws consent by deleting their own answers (Art. 7(3)).';

grant select, delete on public.ai_survey_responses to authenticated;
grant insert (user_id, survey_id, answers, feedback_text) on public.ai_survey_responses to authenticated;
grant select, insert, update, delete on public.ai_survey_responses to service_role;
-- NOTE: no update for authenticated: a submitted answer is final; withdrawing it is deleting it.
