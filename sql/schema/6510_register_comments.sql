/*
  Table comments that disagreed with the processing register where the register is right
  (ROPA v1.1): the legal basis of a table is that of its processing activity.
  - V-01 (classes, user_settings): Art. 6(1)(b) and 6(1)(e), as for users and schools;
  - V-03 (xp_transactions, gamification_events, user_achievements): Art. 6(1)(e) and
    6(1)(b), as for mission_progress;
  - V-10 (pilot_request_attempts, the IP address kept for the rate limit): Art. 6(1)(b)
    and 6(1)(f), as for pilot_requests.
  `verify` (register_legal_basis_mismatch) keeps them equal from now on.
*/
comment on table public.classes is
'Classes of a school. Purpose: group pupils for teachers. ROPA V-01. Legal basis: Art. 6(1)(b) processor agreement, Art. 6(1)(e) public task. Retention: with the school (cascade), until offboarded.';
comment on table public.user_settings is
'Personal settings (theme, accessibility). Purpose: the user''s own preferences. ROPA V-01. Legal basis: Art. 6(1)(b) processor agreement, Art. 6(1)(e) public task. Retention: account lifetime (cascade).';
comment on table public.xp_transactions is
'XP awarded to a pupil, computed server-side. Purpose: gamification of the learning process. ROPA V-03. Legal basis: Art. 6(1)(e) public task, Art. 6(1)(b) agreement. Retention: account lifetime (cascade).';
comment on table public.gamification_events is
'Gamification events (level up, streaks). Purpose: learning motivation. ROPA V-03. Legal basis: Art. 6(1)(e) public task, Art. 6(1)(b) agreement. Retention: account lifetime (cascade).';
comment on table public.user_achievements is
'Badges a pupil earned. Purpose: learning motivation. ROPA V-03. Legal basis: Art. 6(1)(e) public task, Art. 6(1)(b) agreement. Retention: account lifetime (cascade).';
comment on table app_private.pilot_request_attempts is
'Rate-limit bookkeeping of submit_pilot_request (3 per minute per IP). ROPA V-10. Legal basis: Art. 6(1)(b) pre-contractual, Art. 6(1)(f) legitimate interest (abuse prevention). Retention: 1 day after attempted_at.';
