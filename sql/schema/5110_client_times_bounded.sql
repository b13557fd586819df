/*
  Client-written times are bounded (tg_clamp_client_time, from now on): messages.read_at
  and duel_challenges.responded_at are kept between the row's created_at and now(). Rows
  written before with a time in the future or before their creation get the same clamp
  here, as the presence times did in 5000; the rows themselves are kept.
*/
update public.messages
set read_at = least(greatest(read_at, created_at), now())
where read_at > now() or read_at < created_at;

update public.duel_challenges
set responded_at = least(greatest(responded_at, created_at), now())
where responded_at > now() or responded_at < created_at;
