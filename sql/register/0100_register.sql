/*
  THE processing register (Art. 30 GDPR), declared: the activities V-01..V-15 of the ROPA
  (version 1.1, 23 February 2026) in its Dutch wording with an English gloss, the mapping
  of each personal-data category to the columns that hold it, each table's activity and
  retention, and the technical measures the catalog can show. `verify` checks it against
  the live database (register_*); `report` renders the Art. 30 register from it.

  Where the ROPA and the database disagree and the database is right, the text here
  follows the database and officer_note tells the privacy officer what to correct in the
  document; where the ROPA is right, the schema was changed (sql/schema/6510_*).
  The file replaces the whole declaration on every change.
*/
delete from app_private.register_activity;

insert into app_private.register_activity (
    ropa_id, name_nl, name_en, controller_nl, controller_en, processor, purpose_nl, purpose_en,
    legal_bases, legal_basis_nl, legal_basis_en, subjects_nl, subjects_en, recipients_nl, recipients_en,
    transfers_nl, transfers_en, retention_nl, retention_en, measures_nl, measures_en,
    footprint, footprint_note, officer_note_nl, officer_note_en
) values
(
    'V-01', 'Gebruikersregistratie en authenticatie', 'User registration and authentication',
    'School (voor leerlingen/docenten); DGSkills (voor eigen accounts)',
    'The school (for pupils and teachers); DGSkills (for its own accounts)', 'DGSkills B.V. (i.o.)',
    'Aanmaken en beheren van gebruikersaccounts; authenticatie en autorisatie; toewijzing aan school, klas en rol',
    'Creating and managing user accounts; authentication and authorisation; assignment to school, class and role',
    array['b', 'e'],
    'Art. 6(1)(b) AVG -- Uitvoering overeenkomst (verwerkersovereenkomst school-DGSkills); Art. 6(1)(e) AVG -- Publieke taak (school, onderwijswetgeving)',
    'Art. 6(1)(b) GDPR performance of a contract (processor agreement); Art. 6(1)(e) public task (the school, education law)',
    'Leerlingen (12-18 jaar), docenten, schoolbeheerders', 'Pupils (12-18), teachers, school administrators',
    'Supabase Inc. (database, auth -- hosting EU: eu-central-1 Frankfurt)',
    'Supabase Inc. (database and authentication, hosted in the EU, Frankfurt)',
    'Supabase Inc. is gevestigd in de VS; dataopslag in EU-regio (eu-central-1). Doorgifte geregeld via EU Standard Contractual Clauses (SCC) en DPA van Supabase',
    'Supabase Inc. is a US company; data stored in the EU region; transfer covered by SCCs and the Supabase DPA',
    'Zolang het account actief is. Bij schoolbeeindiging: verwijdering binnen 30 dagen na einde verwerkersovereenkomst. Bij eigen verwijderingsverzoek: onmiddellijk (cascade-delete)',
    'While the account exists; within 30 days after the processor agreement of the school ends; immediately on an erasure request (cascade)',
    'TLS 1.2+ (transport), bcrypt password hashing, JWT-authenticatie, Row Level Security (RLS), automatische cascade-delete bij accountverwijdering',
    'TLS 1.2+, bcrypt password hashing, JWT authentication, row-level security, automatic cascade deletion on account deletion',
    'database', null,
    'De wachtwoord-hash staat in auth.users (Supabase Auth), niet in de tabellen van dit project. De tabellen classes en user_settings noemden in hun commentaar een andere grondslag dan V-01; het schema is gecorrigeerd. Ook schoolgegevens (naam, einddatum overeenkomst), klasgegevens en persoonlijke instellingen staan in de database maar niet in de ROPA: toegevoegd als categorie.',
    'The password hash lives in auth.users (Supabase Auth), not in this project''s tables. classes and user_settings stated another legal basis than V-01 in their comments; the schema was corrected. School data (name, end of agreement), class data and personal settings are stored but missing from the ROPA: added as categories.'
),
(
    'V-02', 'AI-ondersteunde chatfunctie voor educatieve opdrachten', 'AI-assisted chat for educational assignments',
    'School', 'The school', 'DGSkills B.V. (i.o.); subverwerker Google LLC (Gemini 2.0 Flash via Vertex AI, europe-west4)',
    'Educatieve AI-interactie: leerlingen stellen vragen over digitale geletterdheid, ontvangen AI-gegenereerde feedback en uitleg in het kader van het SLO-curriculum',
    'Educational AI interaction: pupils ask questions about digital literacy and receive AI-generated feedback within the national curriculum',
    array['b', 'e'],
    'Art. 6(1)(e) AVG -- Publieke taak (school); Art. 6(1)(b) AVG -- Uitvoering overeenkomst (DGSkills-school)',
    'Art. 6(1)(e) public task (the school); Art. 6(1)(b) performance of the contract with the school',
    'Leerlingen (12-18 jaar), docenten', 'Pupils (12-18), teachers',
    'Google LLC -- Vertex AI (europe-west4, regio Nederland)', 'Google LLC, Vertex AI (europe-west4, the Netherlands)',
    'Nee. Vertex AI verwerkt data in regio europe-west4 (Eemshaven, Nederland). Google Cloud DPA met SCC',
    'No: processed in europe-west4 (the Netherlands); Google Cloud DPA with SCCs',
    'Chatberichten worden NIET opgeslagen in de DGSkills-database. Data bestaat uitsluitend in het werkgeheugen van de edge function tijdens de request. Vertex AI zero-data-retention',
    'Chat messages are NOT stored in the DGSkills database; they exist only in the edge function''s memory during the request; Vertex AI zero data retention',
    'Server-side proxy; JWT-verificatie; prompt-injectiefilter; strikte safety settings voor minderjarigen; CORS-beperking; rate limiting; geen logging van chatinhoud',
    'Server-side proxy; JWT verification; prompt-injection filter; strict safety settings for minors; CORS restriction; rate limiting; no logging of chat content',
    'none',
    'Chatberichten worden niet opgeslagen: geen tabel of kolom in deze database bevat ze (chat messages are never stored: no table or column holds them).',
    null, null
),
(
    'V-03', 'Registratie leervoortgang, XP-punten en gamificatie', 'Learning progress, XP and gamification',
    'School', 'The school', 'DGSkills B.V. (i.o.)',
    'Bijhouden van leervorderingen, missie-voortgang, XP-transacties, behaalde badges en achievements ten behoeve van het leerproces en docentinzicht',
    'Tracking learning progress, mission progress, XP transactions, badges and achievements for learning and teacher insight',
    array['b', 'e'],
    'Art. 6(1)(e) AVG -- Publieke taak (school); Art. 6(1)(b) AVG -- Uitvoering overeenkomst',
    'Art. 6(1)(e) public task (the school); Art. 6(1)(b) performance of a contract',
    'Leerlingen (12-18 jaar)', 'Pupils (12-18)',
    'Supabase Inc. (database hosting EU)', 'Supabase Inc. (database hosting in the EU)',
    'Nee (data opgeslagen in EU-regio)', 'No (stored in the EU region)',
    'Zolang het account actief is. Automatisch verwijderd bij accountverwijdering (cascade-delete)',
    'While the account exists; deleted with the account (cascade)',
    'RLS (leerlingen zien alleen eigen data); docenten zien alleen leerlingen van de klassen die zij lesgeven, schoolbeheerders hun school; server-side XP-berekening (anti-cheat)',
    'RLS (pupils see only their own data); teachers see only pupils of the classes they teach, school admins their school; XP computed server-side (anti-cheat)',
    'database', null,
    'De ROPA noemt niet: de inhoud (payload) van gamificatie-events, de menselijke correctie van AI-voortgang (door wie, reden; DPIA A06) en badges; toegevoegd als categorie. De ROPA belooft "school/klas": de database begrenst docenten tot de klassen die zij lesgeven (class_teachers, S-RLS-7); schoolbeheerders zien de hele school. De grondslag van xp_transactions, gamification_events en user_achievements is in het schema gecorrigeerd naar die van V-03. De DPIA (gegevenstabel) noemt voor leervoortgang "duur schooljaar + afgesproken termijn" en voor XP "onbeperkt"; database en ROPA bewaren zolang het account bestaat: corrigeer de DPIA.',
    'The ROPA omits the event payload, the human override of AI progress (who, reason; DPIA A06) and badges: added as categories. It promises "school/class": the database bounds teachers to the classes they teach (class_teachers, S-RLS-7); school admins see the whole school. The legal basis of xp_transactions, gamification_events and user_achievements was corrected in the schema. The DPIA''s data table says progress is kept "school year + agreed term" and XP "unlimited"; database and ROPA keep them for the account''s lifetime: correct the DPIA.'
),
(
    'V-04', 'Registratie leerlingactiviteiten voor docentmonitoring', 'Pupil activity for teacher monitoring',
    'School', 'The school', 'DGSkills B.V. (i.o.)',
    'Docenten inzicht geven in leerlingactiviteit (welke modules bezocht, tijdsbesteding, interactiepatronen) voor onderwijsbegeleiding',
    'Giving teachers insight into pupil activity (modules visited, time spent, interaction patterns) for guidance',
    array['e'],
    'Art. 6(1)(e) AVG -- Publieke taak (school)', 'Art. 6(1)(e) public task (the school)',
    'Leerlingen (12-18 jaar)', 'Pupils (12-18)',
    'Supabase Inc. (database hosting EU)', 'Supabase Inc. (database hosting in the EU)',
    'Nee', 'No',
    '1 jaar na registratie (geautomatiseerde opschoning via pg_cron, wekelijks zondag 03:00 UTC)',
    '1 year after recording (pg_cron, weekly on Sunday 03:00 UTC)',
    'RLS (docent ziet alleen de leerlingen van de eigen klassen, schoolbeheerder de eigen school); geautomatiseerde verwijdering na bewaartermijn',
    'RLS (teachers see only the pupils of their own classes, school admins their school); automatic deletion after the retention period',
    'database', null,
    'De ROPA belooft "school/klas": de database begrenst docenten tot de klassen die zij lesgeven (S-RLS-7). De DPIA noemt onder activiteitsdata "loginmomenten, laatst actief": deze database legt geen logins vast (Supabase Auth houdt aanmeldingen bij in zijn eigen auth-schema); corrigeer de DPIA of neem Supabase Auth-logs op als aparte categorie.',
    'The ROPA promises "school/class": the database bounds teachers to the classes they teach (S-RLS-7). The DPIA lists "login times, last active" as activity data: this database records no logins (Supabase Auth keeps sign-ins in its own schema); correct the DPIA or register the Supabase Auth logs separately.'
),
(
    'V-05', 'Opslag en delen van leerlingwerk (projecten, games)', 'Storing and sharing pupils'' work (projects, games)',
    'School', 'The school', 'DGSkills B.V. (i.o.)',
    'Leerlingen kunnen hun gemaakte projecten en games opslaan en delen met klasgenoten en docenten',
    'Pupils store their projects and games and share them with classmates and teachers',
    array['a', 'e'],
    'Art. 6(1)(e) AVG -- Publieke taak; Art. 6(1)(a) AVG -- Toestemming (expliciet bij publicatie naar klasgenoten)',
    'Art. 6(1)(e) public task; Art. 6(1)(a) consent (explicit when publishing to classmates)',
    'Leerlingen (12-18 jaar)', 'Pupils (12-18)',
    'Supabase Inc. (database hosting EU)', 'Supabase Inc. (database hosting in the EU)',
    'Nee', 'No',
    'Shared games: 1 jaar (geautomatiseerde opschoning via pg_cron). Shared projects: zolang account actief is, cascade-delete bij verwijdering',
    'Shared games: 1 year (pg_cron); shared projects: while the account exists, deleted with it (cascade)',
    'RLS (school-scoped toegang); cascade-delete bij accountverwijdering',
    'RLS (access scoped to the school); cascade deletion on account deletion',
    'database', null,
    'De DPIA (gegevenstabel) noemt voor gedeeld werk "1 jaar"; database en ROPA: games 1 jaar, projecten zolang het account bestaat: corrigeer de DPIA. De zichtbaarheid (privé of gedeeld) staat in de database maar niet in de ROPA: toegevoegd.',
    'The DPIA''s data table says shared work is kept "1 year"; database and ROPA: games 1 year, projects while the account exists: correct the DPIA. Visibility (private or shared) is stored but missing from the ROPA: added.'
),
(
    'V-06', 'Leerling-feedback, docent-notities en hybride beoordelingen',
    'Pupil feedback, teacher notes and hybrid assessments',
    'School', 'The school', 'DGSkills B.V. (i.o.)',
    'Vastleggen van leerling-feedback op modules; docent-notities over leerlingen; hybride beoordelingen (AI + docent)',
    'Recording pupil feedback on modules, teachers'' notes about pupils, and hybrid assessments (AI and teacher)',
    array['e'],
    'Art. 6(1)(e) AVG -- Publieke taak (school)', 'Art. 6(1)(e) public task (the school)',
    'Leerlingen (12-18 jaar), docenten', 'Pupils (12-18), teachers',
    'Supabase Inc. (database hosting EU)', 'Supabase Inc. (database hosting in the EU)',
    'Nee', 'No',
    'Feedback: 1 jaar (geautomatiseerde opschoning). Notities en beoordelingen: zolang account actief is',
    'Feedback: 1 year (automatic purge); notes and assessments: while the account exists',
    'RLS; cascade-delete; docenten zien alleen leerlingen van de klassen die zij lesgeven, schoolbeheerders hun school',
    'RLS; cascade deletion; teachers see only pupils of the classes they teach, school admins their school',
    'database', null,
    'De ROPA belooft "docenten zien alleen eigen leerlingen": de database begrenst docenten tot de klassen die zij lesgeven (S-RLS-7). Module en waardering bij feedback staan niet in de ROPA: toegevoegd. Van notities en beoordelingen verdwijnt bij verwijdering van het docentaccount alleen de verwijzing naar de docent (set null); de rijen over de leerling blijven.',
    'The ROPA promises "teachers see only their own pupils": the database bounds teachers to the classes they teach (S-RLS-7). Module and rating of feedback were missing: added. When a teacher''s account is deleted, notes and assessments keep the rows about the pupil and lose only the reference to the teacher (set null).'
),
(
    'V-07', 'Interne berichtenfunctie tussen docenten en leerlingen', 'Internal messages between teachers and pupils',
    'School', 'The school', 'DGSkills B.V. (i.o.)',
    'Communicatie tussen docenten en leerlingen binnen het platform over het leerproces',
    'Communication between teachers and pupils within the platform about learning',
    array['e'],
    'Art. 6(1)(e) AVG -- Publieke taak (school)', 'Art. 6(1)(e) public task (the school)',
    'Leerlingen (12-18 jaar), docenten', 'Pupils (12-18), teachers',
    'Supabase Inc. (database hosting EU)', 'Supabase Inc. (database hosting in the EU)',
    'Nee', 'No',
    'Zolang account actief is; cascade-delete bij accountverwijdering', 'While the account exists; cascade deletion',
    'RLS (alleen zender/ontvanger); cascade-delete', 'RLS (sender and recipient only); cascade deletion',
    'database', null,
    null,
    null
),
(
    'V-08', 'Kennisduels en multiplayer-interactie', 'Knowledge duels and multiplayer interaction',
    'School', 'The school', 'DGSkills B.V. (i.o.)',
    'Leerlingen uitdagen in kennisquizzen; online-aanwezigheid bijhouden voor matchmaking',
    'Challenging pupils to knowledge quizzes; tracking online presence for matchmaking',
    array['e', 'f'],
    'Art. 6(1)(e) AVG -- Publieke taak; Art. 6(1)(f) AVG -- Gerechtvaardigd belang (gamificatie ter bevordering leerproces)',
    'Art. 6(1)(e) public task; Art. 6(1)(f) legitimate interest (gamification supporting learning)',
    'Leerlingen (12-18 jaar)', 'Pupils (12-18)',
    'Supabase Inc. (database + Realtime)', 'Supabase Inc. (database and Realtime)',
    'Nee', 'No',
    'Aanwezigheidsdata: 1 dag (opschoning elke 30 min). Duel-challenges: 7 dagen. Active duels: 7 dagen (alle via pg_cron)',
    'Presence: 1 day (purged every 30 minutes); challenges and active duels: 7 days (pg_cron)',
    'RLS; zeer korte bewaartermijnen; cascade-delete', 'RLS; very short retention; cascade deletion',
    'database', null, null, null
),
(
    'V-09', 'AI-beleidssurveys en feedback over AI-gebruik', 'Surveys on AI policy and feedback on AI use',
    'School (voor leerlingdata); DGSkills (voor aggregatie en analyse)',
    'The school (pupil data); DGSkills (aggregation and analysis)', 'DGSkills B.V. (i.o.)',
    'Inzicht verkrijgen in de houding en ervaringen van leerlingen en docenten ten aanzien van AI in het onderwijs',
    'Understanding the attitudes and experiences of pupils and teachers regarding AI in education',
    array['a', 'e'],
    'Art. 6(1)(e) AVG -- Publieke taak; Art. 6(1)(a) AVG -- Toestemming (deelname is vrijwillig)',
    'Art. 6(1)(e) public task; Art. 6(1)(a) consent (participation is voluntary)',
    'Leerlingen (12-18 jaar), docenten', 'Pupils (12-18), teachers',
    'Supabase Inc. (database hosting EU)', 'Supabase Inc. (database hosting in the EU)',
    'Nee', 'No',
    'Zolang account actief is; cascade-delete bij accountverwijdering', 'While the account exists; cascade deletion',
    'RLS; cascade-delete; vrijwillige deelname', 'RLS; cascade deletion; voluntary participation',
    'database', null, null, null
),
(
    'V-10', 'Verwerking pilot-aanvragen via het contactformulier', 'Pilot requests through the contact form',
    'DGSkills B.V. (i.o.) -- eigen bedrijfsvoering', 'DGSkills (own business)', null,
    'Ontvangen, beoordelen en opvolgen van pilot-aanvragen van scholen; commercieele acquisitie',
    'Receiving, assessing and following up pilot requests from schools; acquisition',
    array['b', 'f'],
    'Art. 6(1)(b) AVG -- Precontractuele maatregelen (op verzoek van de betrokkene); Art. 6(1)(f) AVG -- Gerechtvaardigd belang (bedrijfsvoering)',
    'Art. 6(1)(b) pre-contractual steps at the data subject''s request; Art. 6(1)(f) legitimate interest (business)',
    'Contactpersonen van scholen (docenten, schoolleiders, ICT-coordinatoren)',
    'Contacts at schools (teachers, school leaders, IT coordinators)',
    'Supabase Inc. (database hosting EU); Zoho Corporation (SMTP e-mailverzending via smtp.zoho.eu)',
    'Supabase Inc. (database hosting in the EU); Zoho Corporation (SMTP)',
    'Supabase: zie V-01. Zoho: SMTP-server in EU; doorgifte geregeld via Zoho DPA en SCC',
    'Supabase: see V-01. Zoho: EU SMTP server; Zoho DPA and SCCs',
    '3 jaar na aanvraag (AVG Art. 5(1)(e)). Opschoning via pg_cron (wekelijks)',
    '3 years after the request; purged by pg_cron (weekly)',
    'Rate limiting (3 requests/min per IP); honeypot-veld; inputvalidatie en sanitisatie; RLS (alleen developer kan lezen); service_role voor insert',
    'Rate limit (3 per minute per IP); honeypot field; input validation; RLS (developers only may read); inserts by service_role only',
    'database', null,
    'De ROPA zegt "RLS (alleen admin/developer kan lezen)": in de database leest alleen de platformrol developer pilot-aanvragen, geen schoolbeheerder; en "handmatige opschoning": de database schoont automatisch op (wekelijkse pg_cron-taak). Corrigeer de ROPA-tekst. Het IP-adres voor de rate limit staat ook in een aparte boekhouding die na 1 dag wordt gewist.',
    'The ROPA says "RLS (only admin/developer may read)": in the database only the platform role developer reads pilot requests, no school admin; and "manual clean-up": the database purges automatically (weekly pg_cron job). Correct the ROPA text. The IP address for the rate limit is also kept in a separate bookkeeping table purged after 1 day.'
),
(
    'V-11', 'Verzending transactionele en bevestigingsemails', 'Transactional and confirmation e-mails',
    'DGSkills B.V. (i.o.)', 'DGSkills', null,
    'Verzenden van bevestigingsemails bij pilot-aanvragen; interne notificaties aan DGSkills-team',
    'Sending confirmation e-mails for pilot requests; internal notifications to the DGSkills team',
    array['b'],
    'Art. 6(1)(b) AVG -- Uitvoering overeenkomst/precontractuele maatregelen',
    'Art. 6(1)(b) performance of a contract / pre-contractual steps',
    'Contactpersonen van scholen', 'Contacts at schools',
    'Zoho Corporation (SMTP-relay via smtp.zoho.eu)', 'Zoho Corporation (SMTP relay, EU)',
    'Zoho EU Data Center; SCC van toepassing', 'Zoho EU data centre; SCCs apply',
    'E-mails worden verzonden en niet apart opgeslagen door DGSkills. Bewaring bij Zoho conform hun retentiebeleid',
    'E-mails are sent, not stored by DGSkills; Zoho keeps them according to its retention policy',
    'TLS-versleutelde SMTP-verbinding (poort 465); app-specifiek wachtwoord; credentials als Edge Function Secrets',
    'TLS-encrypted SMTP (port 465); app-specific password; credentials as edge function secrets',
    'none',
    'E-mails worden niet in deze database opgeslagen; de gegevens waaruit ze bestaan staan in pilot_requests (V-10) (e-mails are not stored in this database; their data is that of V-10).',
    null, null
),
(
    'V-12', 'Audit logging voor compliance en verantwoordingsplicht', 'Audit logging for compliance and accountability',
    'DGSkills B.V. (i.o.) -- als verwerker namens de school; en als verantwoordelijke voor eigen compliance',
    'DGSkills, as processor for the school and as controller for its own compliance', null,
    'Vastleggen van privacy-gerelateerde acties (data-export, accountverwijdering, verwerkingsbeperkingen) ten behoeve van de verantwoordingsplicht (Art. 5(2) AVG) en het verwerkingsregister (Art. 30 AVG)',
    'Recording privacy actions (export, erasure, restriction) for accountability (Art. 5(2)) and the register (Art. 30)',
    array['c', 'f'],
    'Art. 6(1)(c) AVG -- Wettelijke verplichting (verantwoordingsplicht AVG); Art. 6(1)(f) AVG -- Gerechtvaardigd belang (informatiebeveiliging)',
    'Art. 6(1)(c) legal obligation (accountability); Art. 6(1)(f) legitimate interest (information security)',
    'Alle gebruikers (leerlingen, docenten, beheerders)', 'All users (pupils, teachers, administrators)',
    'Supabase Inc. (database hosting EU)', 'Supabase Inc. (database hosting in the EU)',
    'Nee (EU-regio)', 'No (EU region)',
    '3 jaar (geautomatiseerde opschoning via pg_cron, wekelijks zondag 04:30 UTC)',
    '3 years (pg_cron, weekly on Sunday 04:30 UTC)',
    'RLS; only-insert patroon (audit logs worden niet gewijzigd); cascade-delete bij volledige accountverwijdering',
    'RLS; insert-only (entries are never changed); cascade deletion on full account deletion',
    'database', null,
    'De ROPA noemt "e-mailadres (bij bepaalde acties)" en de DPIA "login" als auditgegevens: de database legt geen van beide vast (dataminimalisatie); schrap ze uit ROPA en DPIA. Toegevoegd: de school van een vermelding (voor de schoolbeheerder). Het verwijderingsbewijs bewaart nummer, tijdstip en aantallen, maar geen vingerafdruk van het account meer (de kolom subject_hash blijft leeg). Bij accountverwijdering gaan de vermeldingen over het account mee (cascade); vermeldingen waarin het account alleen de uitvoerder was houden de vermelding maar verliezen de verwijzing (set null).',
    'The ROPA lists "e-mail address (for some actions)" and the DPIA "login" as audit data: the database records neither (data minimisation); remove them from ROPA and DPIA. Added: the school of an entry (for the school admin). A deletion receipt keeps its number, time and counts but no fingerprint of the account any more (subject_hash stays empty). On account deletion, entries about the account go with it (cascade); entries where it was only the actor stay without the reference (set null).'
),
(
    'V-13', 'Persoonlijke bibliotheek van opgeslagen lesmateriaal', 'Personal library of saved learning material',
    'School', 'The school', 'DGSkills B.V. (i.o.)',
    'Leerlingen en docenten kunnen lesmateriaal, artikelen of bronnen opslaan in een persoonlijke bibliotheek',
    'Pupils and teachers save learning material, articles or sources in a personal library',
    array['e'],
    'Art. 6(1)(e) AVG -- Publieke taak (school)', 'Art. 6(1)(e) public task (the school)',
    'Leerlingen (12-18 jaar), docenten', 'Pupils (12-18), teachers',
    'Supabase Inc. (database hosting EU)', 'Supabase Inc. (database hosting in the EU)',
    'Nee', 'No',
    'Zolang account actief is; cascade-delete bij accountverwijdering', 'While the account exists; cascade deletion',
    'RLS; cascade-delete', 'RLS; cascade deletion',
    'database', null, null, null
),
(
    'V-14', 'Hosting van de DGSkills webapplicatie', 'Hosting of the DGSkills web application',
    'DGSkills B.V. (i.o.)', 'DGSkills', null,
    'Serveren van de webapplicatie aan eindgebruikers; deployment en build-management',
    'Serving the web application to its users; deployment and builds',
    array['b', 'f'],
    'Art. 6(1)(b) AVG -- Uitvoering overeenkomst; Art. 6(1)(f) AVG -- Gerechtvaardigd belang (technische werking platform)',
    'Art. 6(1)(b) performance of a contract; Art. 6(1)(f) legitimate interest (technical operation)',
    'Alle websitebezoekers en gebruikers', 'All visitors and users of the website',
    'Vercel Inc. (hosting, CDN -- Edge Network wereldwijd, hoofdkantoor VS)', 'Vercel Inc. (hosting, CDN, worldwide edge network)',
    'Ja. Vercel Edge Network kan binnen of buiten EU verwerken. Juridische grondslag: Vercel DPA met SCC',
    'Yes: the edge network may process outside the EU; Vercel DPA with SCCs',
    'Vercel serverlogs: conform Vercel retentiebeleid (standaard 30 dagen)', 'Vercel server logs: Vercel''s policy (30 days by default)',
    'HTTPS/TLS; Vercel DPA; geen persoonsgegevens opgeslagen in de applicatie-build',
    'HTTPS/TLS; Vercel DPA; no personal data in the application build',
    'none',
    'IP-adressen, user-agents en toegangslogs van de website staan bij Vercel, niet in deze database (they are kept by Vercel, not in this database).',
    null, null
),
(
    'V-15', 'Facilitering rechten van betrokkenen', 'Data subject rights (Art. 15-22)',
    'School (voor leerlingen/docenten); DGSkills (voor eigen verzoeken)',
    'The school (pupils and teachers); DGSkills (its own requests)', 'DGSkills B.V. (i.o.)',
    'Uitvoering van het recht op inzage/portabiliteit (Art. 15/20: export_my_data), recht op verwijdering (Art. 17: delete_my_account), en recht op beperking verwerking (Art. 18: restrict_processing)',
    'Access and portability (Art. 15/20: export_my_data), erasure (Art. 17: delete_my_account), restriction (Art. 18: restrict_processing)',
    array['c'],
    'Art. 6(1)(c) AVG -- Wettelijke verplichting (faciliteren betrokkenenrechten)',
    'Art. 6(1)(c) legal obligation (facilitating data subject rights)',
    'Alle gebruikers', 'All users',
    'Supabase Inc. (database)', 'Supabase Inc. (database)',
    'Nee (verwerking in EU-regio)', 'No (EU region)',
    'N.v.t. (actie leidt tot export of verwijdering; auditlog zie V-12)',
    'Not applicable (the action exports or erases; audit log: see V-12)',
    'Self-service in-app functionaliteit; JWT-authenticatie; cascade-delete over alle tabellen met gegevens over de gebruiker; complete JSON-export (schema v2.0); verplichte auditlog bij elke actie',
    'Self-service in the app; JWT authentication; cascade deletion over every table holding data about the user; complete JSON export (schema 2.0); an audit entry for every action',
    'database', null,
    'De ROPA (V-15, §6.1, §8) en de DPIA spreken van "cascade-delete over 28 tabellen" en "ON DELETE CASCADE op alle 28 foreign keys": de database telt minder verwijzingen naar users, en verwijzingen naar een betrokken derde (de docent die corrigeerde, de auteur van een notitie, de uitvoerder in het auditlog) worden bij verwijdering leeggemaakt (set null) in plaats van de rij te wissen. De actuele aantallen staan hieronder onder "register vs database"; neem die over in ROPA en DPIA.',
    'The ROPA (V-15, section 6.1, section 8) and the DPIA speak of "cascade delete over 28 tables" and "ON DELETE CASCADE on all 28 foreign keys": the database has fewer references to users, and references to a bystander (the overriding teacher, a note''s author, the audit actor) are set null on deletion instead of deleting the row. The live figures are under "register vs database" below; copy them into ROPA and DPIA.'
);

insert into app_private.register_category (ropa_id, category, label_nl, label_en, origin, stored, stored_note) values
('V-01', 'names', 'Voornaam, achternaam (of weergavenaam)', 'First name, last name (or display name)', 'ropa', 'database', null),
('V-01', 'email', 'E-mailadres', 'E-mail address', 'ropa', 'database', null),
(
    'V-01', 'password_hash', 'Gehashte wachtwoord-hash (bcrypt, via Supabase Auth)', 'Password hash (bcrypt, Supabase Auth)',
    'ropa', 'elsewhere', 'auth.users (Supabase Auth), outside the tables of this project'
),
('V-01', 'user_id', 'UUID (gebruikers-ID)', 'User id (uuid)', 'ropa', 'database', null),
('V-01', 'role', 'Rol (leerling / docent / admin / developer)', 'Role (pupil, teacher, admin, developer)', 'ropa', 'database', null),
('V-01', 'school_class', 'School-ID, klas-ID', 'School id, class id', 'ropa', 'database', null),
(
    'V-01', 'year_level', 'Leerjaar (year_group), onderwijsniveau (education_level)', 'Year group, education level',
    'ropa', 'database', null
),
(
    'V-01', 'account_status', 'Accountstatus (processing_restricted, restricted_at, restricted_reason)',
    'Account status (Art. 18 restriction flag, time, reason)', 'ropa', 'database', null
),
('V-01', 'timestamps', 'Aanmaak- en wijzigingstijdstempels', 'Creation and change times', 'ropa', 'database', null),
(
    'V-01', 'school_data', 'Schoolgegevens: naam, einde verwerkersovereenkomst', 'School: name, end of the processor agreement',
    'added', 'database', null
),
('V-01', 'class_data', 'Klasgegevens: naam, leerjaar', 'Class: name, year group', 'added', 'database', null),
(
    'V-01', 'class_teaching', 'Welke docent welke klas lesgeeft (klas-scope, S-RLS-7)', 'Which teacher teaches which class (class scope, S-RLS-7)',
    'added', 'database', null
),
(
    'V-01', 'settings', 'Persoonlijke instellingen (thema, toegankelijkheid)', 'Personal settings (theme, accessibility)',
    'added', 'database', null
),
(
    'V-02', 'user_id', 'Gebruikers-ID (UUID, voor JWT-authenticatie)', 'User id (for JWT authentication)', 'ropa', 'not_stored',
    'only checked in the edge function; the chat stores nothing'
),
(
    'V-02', 'chat_messages', 'Chatberichten (vrije tekst)', 'Chat messages (free text)', 'ropa', 'not_stored',
    'in memory of the edge function during the request only'
),
(
    'V-02', 'history', 'Conversatiegeschiedenis (history-array, tijdelijk in geheugen)', 'Conversation history (in memory)',
    'ropa', 'not_stored', 'in memory of the edge function during the request only'
),
(
    'V-02', 'system_instruction', 'Systeeminstructie (lescontext, geen persoonsgegevens)', 'System instruction (no personal data)',
    'ropa', 'not_stored', 'part of the application code'
),
('V-03', 'user_id', 'Gebruikers-ID (UUID)', 'User id (uuid)', 'ropa', 'database', null),
(
    'V-03', 'mission_progress', 'Missie-voortgang (missie-ID, stap, status, voltooiingsdatum)',
    'Mission progress (mission, step, status, completion time)', 'ropa', 'database', null
),
('V-03', 'xp', 'XP-transacties (hoeveelheid, bron, tijdstempel)', 'XP transactions (amount, source, time)', 'ropa', 'database', null),
('V-03', 'events', 'Gamificatie-events (event-type, tijdstempel)', 'Gamification events (type, time)', 'ropa', 'database', null),
('V-03', 'event_payload', 'Details van gamificatie-events (payload)', 'Details of gamification events (payload)', 'added', 'database', null),
(
    'V-03', 'override', 'Menselijke correctie van AI-voortgang: AI of docent, welke docent, reden (DPIA A06)',
    'Human override of AI progress: AI or teacher, which teacher, reason (DPIA A06)', 'added', 'database', null
),
('V-03', 'badges', 'Behaalde badges (badge, tijdstip)', 'Badges earned (badge, time)', 'added', 'database', null),
('V-04', 'user_id', 'Gebruikers-ID (UUID)', 'User id (uuid)', 'ropa', 'database', null),
('V-04', 'activity', 'Activiteitstype en -details', 'Activity type and details', 'ropa', 'database', null),
('V-04', 'timestamps', 'Tijdstempels', 'Times', 'ropa', 'database', null),
('V-05', 'user_id', 'Gebruikers-ID (UUID)', 'User id (uuid)', 'ropa', 'database', null),
('V-05', 'project', 'Projectinhoud (code, titel, beschrijving)', 'Project content (code, title, description)', 'ropa', 'database', null),
('V-05', 'game', 'Game-inhoud (configuratie, spelinstellingen)', 'Game content (configuration, settings)', 'ropa', 'database', null),
('V-05', 'timestamps', 'Aanmaak- en wijzigingstijdstempels', 'Creation and change times', 'ropa', 'database', null),
(
    'V-05', 'visibility', 'Zichtbaarheid (privé, of met toestemming gepubliceerd voor de klas) en tijdstip van de toestemming',
    'Visibility (private, or published to the class with consent) and when consent was given', 'added', 'database', null
),
('V-06', 'user_ids', 'Gebruikers-ID (UUID) van leerling en/of docent', 'User ids of pupil and/or teacher', 'ropa', 'database', null),
('V-06', 'feedback_text', 'Feedbacktekst (vrije tekst)', 'Feedback text (free text)', 'ropa', 'database', null),
('V-06', 'feedback_meta', 'Module en waardering (1-5) bij feedback', 'Module and rating (1-5) of feedback', 'added', 'database', null),
('V-06', 'notes', 'Docentnotities (vrije tekst)', 'Teachers'' notes (free text)', 'ropa', 'database', null),
('V-06', 'scores', 'Beoordelingsscores en -opmerkingen', 'Assessment scores and comments', 'ropa', 'database', null),
('V-06', 'timestamps', 'Tijdstempels', 'Times', 'ropa', 'database', null),
('V-07', 'ids', 'Afzender-ID en ontvanger-ID (UUID)', 'Sender and recipient ids', 'ropa', 'database', null),
('V-07', 'body', 'Berichtinhoud (tekst)', 'Message text', 'ropa', 'database', null),
('V-07', 'timestamps', 'Tijdstempels', 'Times (sent, read)', 'ropa', 'database', null),
('V-08', 'user_id', 'Gebruikers-ID (UUID)', 'User id (uuid)', 'ropa', 'database', null),
('V-08', 'presence', 'Online-aanwezigheidstijdstempel (duel_presence)', 'Online presence time', 'ropa', 'database', null),
(
    'V-08', 'challenges', 'Duel-uitdagingen (challenger_id, challenged_id, status)',
    'Duel challenges (challenger, challenged, status, times)', 'ropa', 'database', null
),
('V-08', 'duels', 'Actieve duels (speler-IDs, scores)', 'Active duels (players, scores, times)', 'ropa', 'database', null),
('V-09', 'user_id', 'Gebruikers-ID (UUID)', 'User id (uuid)', 'ropa', 'database', null),
('V-09', 'answers', 'Survey-antwoorden', 'Survey answers', 'ropa', 'database', null),
('V-09', 'feedback_text', 'Feedbacktekst', 'Feedback text', 'ropa', 'database', null),
('V-09', 'timestamps', 'Tijdstempels', 'Times', 'ropa', 'database', null),
('V-10', 'contact_name', 'Naam contactpersoon', 'Contact name', 'ropa', 'database', null),
('V-10', 'email', 'E-mailadres', 'E-mail address', 'ropa', 'database', null),
('V-10', 'school', 'Schoolnaam', 'School name', 'ropa', 'database', null),
('V-10', 'role', 'Rol bij de school', 'Role at the school', 'ropa', 'database', null),
('V-10', 'pupil_count', 'Aantal leerlingen (geschat)', 'Number of pupils (estimate)', 'ropa', 'database', null),
('V-10', 'message', 'Vrij berichtveld', 'Free message', 'ropa', 'database', null),
(
    'V-10', 'ip', 'IP-adres (voor rate limiting en misbruikpreventie; na 1 dag gewist, S-RET-11)',
    'IP address (rate limit, abuse prevention; nulled after 1 day, S-RET-11)', 'ropa', 'database', null
),
('V-10', 'timestamps', 'Tijdstempels', 'Times', 'ropa', 'database', null),
('V-11', 'email', 'E-mailadres ontvanger', 'Recipient''s e-mail address', 'ropa', 'not_stored', 'sent through Zoho SMTP'),
('V-11', 'contact_name', 'Naam contactpersoon', 'Contact name', 'ropa', 'not_stored', 'sent through Zoho SMTP'),
('V-11', 'school', 'Schoolnaam', 'School name', 'ropa', 'not_stored', 'sent through Zoho SMTP'),
('V-11', 'body', 'Inhoud bericht (in e-mailbody)', 'Message content (e-mail body)', 'ropa', 'not_stored', 'sent through Zoho SMTP'),
('V-12', 'user_ids', 'Gebruikers-ID (UUID)', 'User ids (actor, subject)', 'ropa', 'database', null),
(
    'V-12', 'action', 'Actie (bijv. gdpr_data_export, gdpr_account_deletion_initiated, gdpr_processing_restriction_requested)',
    'Action (export, erasure, restriction, configuration change, ...)', 'ropa', 'database', null
),
('V-12', 'metadata', 'Metadata (tijdstempel, rechtsgrondslag, initiator)', 'Metadata (time, legal basis, initiator)', 'ropa', 'database', null),
(
    'V-12', 'email', 'E-mailadres (bij bepaalde acties)', 'E-mail address (for some actions)', 'ropa', 'not_stored',
    'no audit entry holds an e-mail address (data minimisation); see the note'
),
('V-12', 'school', 'School van de vermelding (voor de schoolbeheerder)', 'School of the entry (for the school admin)', 'added', 'database', null),
(
    'V-12', 'receipt', 'Verwijderingsbewijs: vroegere vingerafdruk van een verwijderd account (subject_hash, wordt niet meer geschreven, leeg)',
    'Deletion receipt: former fingerprint of a deleted account (subject_hash, no longer written, empty)', 'added', 'database', null
),
('V-13', 'user_id', 'Gebruikers-ID (UUID)', 'User id (uuid)', 'ropa', 'database', null),
('V-13', 'item', 'Itemtitel, URL, notities', 'Item title, URL, notes', 'ropa', 'database', null),
('V-13', 'timestamps', 'Tijdstempels', 'Times', 'ropa', 'database', null),
('V-14', 'ip', 'IP-adres', 'IP address', 'ropa', 'elsewhere', 'Vercel server logs'),
('V-14', 'user_agent', 'User-agent (browser/OS)', 'User agent (browser, OS)', 'ropa', 'elsewhere', 'Vercel server logs'),
(
    'V-14', 'access_logs', 'Toegangslogs (request URL, tijdstempel, statuscode)', 'Access logs (URL, time, status)',
    'ropa', 'elsewhere', 'Vercel server logs'
),
(
    'V-15', 'all_data', 'Alle in dit register genoemde gegevens (afhankelijk van het specifieke recht)',
    'All data in this register (depending on the right)', 'ropa', 'elsewhere',
    'the tables of the other activities; export and erasure walk them from the catalog'
),
(
    'V-15', 'restriction', 'Verwerkingsbeperking (Art. 18): markering, tijdstip, reden',
    'Restriction of processing (Art. 18): flag, time, reason', 'added', 'database', null
),
(
    'V-15', 'objection', 'Bezwaar (Art. 21) tegen de duelfunctie: markering, tijdstip',
    'Objection (Art. 21) to the duel feature: flag, time', 'added', 'database', null
);

insert into app_private.register_table (table_name, ropa_id, retention, keep) values
('public.schools', 'V-01', 'school', null),
('public.classes', 'V-01', 'school', null),
('public.class_teachers', 'V-01', 'account', null),
('public.users', 'V-01', 'account', null),
('public.user_settings', 'V-01', 'account', null),
('public.mission_progress', 'V-03', 'account', null),
('public.xp_transactions', 'V-03', 'account', null),
('public.gamification_events', 'V-03', 'account', null),
('public.user_achievements', 'V-03', 'account', null),
('public.mission_progress_events', 'V-03', 'account', null),
('public.student_activities', 'V-04', 'period', interval '1 year'),
('public.shared_projects', 'V-05', 'account', null),
('public.shared_games', 'V-05', 'period', interval '1 year'),
('public.feedback', 'V-06', 'period', interval '1 year'),
('public.teacher_notes', 'V-06', 'account', null),
('public.assessments', 'V-06', 'account', null),
('public.messages', 'V-07', 'account', null),
('public.duel_presence', 'V-08', 'period', interval '1 day'),
('public.duel_challenges', 'V-08', 'period', interval '7 days'),
('public.active_duels', 'V-08', 'period', interval '7 days'),
('public.ai_survey_responses', 'V-09', 'account', null),
('public.pilot_requests', 'V-10', 'period', interval '3 years'),
('app_private.pilot_request_attempts', 'V-10', 'period', interval '1 day'),
('public.audit_logs', 'V-12', 'period', interval '3 years'),
('public.library_items', 'V-13', 'account', null),
('public.processing_restrictions', 'V-15', 'account', null),
('public.duel_objections', 'V-15', 'account', null);

insert into app_private.register_column (table_name, column_name, ropa_id, category)
select
    v.table_name,
    unnest(v.columns) as column_name,
    v.ropa_id,
    v.category
from (
    values
    ('public.users', array['first_name', 'last_name', 'display_name'], 'V-01', 'names'),
    ('public.users', array['email'], 'V-01', 'email'),
    ('public.users', array['id'], 'V-01', 'user_id'),
    ('public.user_settings', array['user_id'], 'V-01', 'user_id'),
    ('public.users', array['role'], 'V-01', 'role'),
    ('public.users', array['school_id', 'class_id'], 'V-01', 'school_class'),
    ('public.classes', array['id', 'school_id'], 'V-01', 'school_class'),
    ('public.class_teachers', array['class_id', 'teacher_id', 'school_id', 'created_at'], 'V-01', 'class_teaching'),
    ('public.schools', array['id'], 'V-01', 'school_class'),
    ('public.users', array['year_group', 'education_level'], 'V-01', 'year_level'),
    ('public.users', array['processing_restricted', 'restricted_at'], 'V-01', 'account_status'),
    ('public.processing_restrictions', array['reason'], 'V-01', 'account_status'),
    ('public.users', array['left_on'], 'V-01', 'account_status'),
    ('public.users', array['processing_restricted', 'restricted_at'], 'V-15', 'restriction'),
    ('public.processing_restrictions', array['user_id', 'reason', 'created_at'], 'V-15', 'restriction'),
    ('public.duel_objections', array['user_id', 'created_at'], 'V-15', 'objection'),
    ('public.users', array['created_at', 'updated_at'], 'V-01', 'timestamps'),
    ('public.schools', array['name', 'contract_ends_on', 'created_at', 'updated_at'], 'V-01', 'school_data'),
    ('public.classes', array['name', 'year_group', 'created_at', 'updated_at'], 'V-01', 'class_data'),
    ('public.user_settings', array['settings', 'updated_at'], 'V-01', 'settings'),
    ('public.mission_progress', array['user_id'], 'V-03', 'user_id'),
    ('public.xp_transactions', array['user_id'], 'V-03', 'user_id'),
    ('public.gamification_events', array['user_id'], 'V-03', 'user_id'),
    ('public.user_achievements', array['user_id'], 'V-03', 'user_id'),
    ('public.mission_progress_events', array['user_id'], 'V-03', 'user_id'),
    (
        'public.mission_progress_events', array['mission_id', 'step', 'old_status', 'new_status', 'created_at'],
        'V-03', 'mission_progress'
    ),
    (
        'public.mission_progress_events', array['actor', 'actor_id', 'old_completed_by', 'new_completed_by', 'reason'],
        'V-03', 'override'
    ),
    (
        'public.mission_progress', array['mission_id', 'step', 'status', 'completed_at', 'created_at', 'updated_at'],
        'V-03', 'mission_progress'
    ),
    ('public.xp_transactions', array['amount', 'source', 'created_at'], 'V-03', 'xp'),
    ('public.gamification_events', array['event_type', 'created_at'], 'V-03', 'events'),
    ('public.gamification_events', array['payload'], 'V-03', 'event_payload'),
    ('public.mission_progress', array['completed_by', 'overridden_by', 'override_reason'], 'V-03', 'override'),
    ('public.user_achievements', array['badge', 'earned_at'], 'V-03', 'badges'),
    ('public.student_activities', array['user_id'], 'V-04', 'user_id'),
    ('public.student_activities', array['activity_type', 'details'], 'V-04', 'activity'),
    ('public.student_activities', array['created_at'], 'V-04', 'timestamps'),
    ('public.shared_projects', array['user_id'], 'V-05', 'user_id'),
    ('public.shared_games', array['user_id'], 'V-05', 'user_id'),
    ('public.shared_projects', array['code', 'title', 'description'], 'V-05', 'project'),
    ('public.shared_games', array['config', 'title'], 'V-05', 'game'),
    ('public.shared_projects', array['created_at', 'updated_at'], 'V-05', 'timestamps'),
    ('public.shared_games', array['created_at', 'updated_at'], 'V-05', 'timestamps'),
    ('public.shared_projects', array['visibility', 'published_at'], 'V-05', 'visibility'),
    ('public.shared_games', array['visibility', 'published_at'], 'V-05', 'visibility'),
    ('public.feedback', array['user_id'], 'V-06', 'user_ids'),
    ('public.teacher_notes', array['student_id', 'author_id'], 'V-06', 'user_ids'),
    ('public.assessments', array['student_id', 'assessor_id'], 'V-06', 'user_ids'),
    ('public.feedback', array['body'], 'V-06', 'feedback_text'),
    ('public.feedback', array['module', 'rating'], 'V-06', 'feedback_meta'),
    ('public.teacher_notes', array['body'], 'V-06', 'notes'),
    ('public.assessments', array['mission_id', 'ai_score', 'teacher_score', 'comment'], 'V-06', 'scores'),
    ('public.feedback', array['created_at'], 'V-06', 'timestamps'),
    ('public.teacher_notes', array['created_at', 'updated_at'], 'V-06', 'timestamps'),
    ('public.assessments', array['created_at', 'updated_at'], 'V-06', 'timestamps'),
    ('public.messages', array['sender_id', 'recipient_id'], 'V-07', 'ids'),
    ('public.messages', array['body'], 'V-07', 'body'),
    ('public.messages', array['created_at', 'read_at'], 'V-07', 'timestamps'),
    ('public.duel_presence', array['user_id'], 'V-08', 'user_id'),
    ('public.duel_presence', array['last_seen_at'], 'V-08', 'presence'),
    (
        'public.duel_challenges', array['challenger_id', 'challenged_id', 'status', 'created_at', 'responded_at'],
        'V-08', 'challenges'
    ),
    (
        'public.active_duels', array['player1_id', 'player2_id', 'player1_score', 'player2_score', 'created_at', 'finished_at'],
        'V-08', 'duels'
    ),
    ('public.ai_survey_responses', array['user_id'], 'V-09', 'user_id'),
    ('public.ai_survey_responses', array['survey_id', 'answers'], 'V-09', 'answers'),
    ('public.ai_survey_responses', array['feedback_text'], 'V-09', 'feedback_text'),
    ('public.ai_survey_responses', array['created_at'], 'V-09', 'timestamps'),
    ('public.pilot_requests', array['contact_name'], 'V-10', 'contact_name'),
    ('public.pilot_requests', array['email'], 'V-10', 'email'),
    ('public.pilot_requests', array['school_name'], 'V-10', 'school'),
    ('public.pilot_requests', array['contact_role'], 'V-10', 'role'),
    ('public.pilot_requests', array['pupil_count'], 'V-10', 'pupil_count'),
    ('public.pilot_requests', array['message'], 'V-10', 'message'),
    ('public.pilot_requests', array['ip'], 'V-10', 'ip'),
    ('app_private.pilot_request_attempts', array['ip'], 'V-10', 'ip'),
    ('public.pilot_requests', array['created_at'], 'V-10', 'timestamps'),
    ('app_private.pilot_request_attempts', array['attempted_at'], 'V-10', 'timestamps'),
    ('public.audit_logs', array['actor_id', 'subject_id'], 'V-12', 'user_ids'),
    ('public.audit_logs', array['action'], 'V-12', 'action'),
    ('public.audit_logs', array['metadata', 'created_at'], 'V-12', 'metadata'),
    ('public.audit_logs', array['school_id'], 'V-12', 'school'),
    ('public.audit_logs', array['subject_hash'], 'V-12', 'receipt'),
    ('public.library_items', array['user_id'], 'V-13', 'user_id'),
    ('public.library_items', array['title', 'url', 'notes'], 'V-13', 'item'),
    ('public.library_items', array['created_at'], 'V-13', 'timestamps')
) as v (table_name, columns, ropa_id, category);

insert into app_private.register_measure (ropa_id, measure, table_name)
select
    v.ropa_id,
    v.measure,
    unnest(v.tables) as table_name
from (
    values
    ('V-01', 'rls', array['public.users', 'public.schools', 'public.classes', 'public.class_teachers', 'public.user_settings']),
    ('V-01', 'cascade', array['public.users', 'public.class_teachers', 'public.user_settings']),
    ('V-01', 'school_scope', array['public.users', 'public.schools', 'public.classes', 'public.class_teachers']),
    ('V-01', 'class_scope', array['public.users']),
    (
        'V-03', 'rls',
        array['public.mission_progress', 'public.xp_transactions', 'public.gamification_events', 'public.user_achievements']
    ),
    (
        'V-03', 'cascade',
        array['public.mission_progress', 'public.xp_transactions', 'public.gamification_events', 'public.user_achievements']
    ),
    (
        'V-03', 'school_scope',
        array['public.mission_progress', 'public.xp_transactions', 'public.gamification_events', 'public.user_achievements']
    ),
    (
        'V-03', 'class_scope',
        array['public.mission_progress', 'public.xp_transactions', 'public.gamification_events', 'public.user_achievements']
    ),
    ('V-04', 'rls', array['public.student_activities']),
    ('V-04', 'school_scope', array['public.student_activities']),
    ('V-04', 'class_scope', array['public.student_activities']),
    ('V-04', 'retention_job', array['public.student_activities']),
    ('V-05', 'rls', array['public.shared_projects', 'public.shared_games']),
    ('V-05', 'school_scope', array['public.shared_projects', 'public.shared_games']),
    ('V-05', 'class_scope', array['public.shared_projects', 'public.shared_games']),
    ('V-05', 'cascade', array['public.shared_projects', 'public.shared_games']),
    ('V-05', 'retention_job', array['public.shared_games']),
    ('V-06', 'rls', array['public.feedback', 'public.teacher_notes', 'public.assessments']),
    ('V-06', 'cascade', array['public.feedback', 'public.teacher_notes', 'public.assessments']),
    ('V-06', 'school_scope', array['public.feedback', 'public.teacher_notes', 'public.assessments']),
    ('V-06', 'class_scope', array['public.feedback', 'public.teacher_notes', 'public.assessments']),
    ('V-06', 'retention_job', array['public.feedback']),
    ('V-07', 'rls', array['public.messages']),
    ('V-07', 'cascade', array['public.messages']),
    ('V-08', 'rls', array['public.duel_presence', 'public.duel_challenges', 'public.active_duels']),
    ('V-08', 'cascade', array['public.duel_presence', 'public.duel_challenges', 'public.active_duels']),
    ('V-08', 'retention_job', array['public.duel_presence', 'public.duel_challenges', 'public.active_duels']),
    ('V-09', 'rls', array['public.ai_survey_responses']),
    ('V-09', 'cascade', array['public.ai_survey_responses']),
    ('V-10', 'rls', array['public.pilot_requests']),
    ('V-10', 'retention_job', array['public.pilot_requests', 'app_private.pilot_request_attempts']),
    ('V-12', 'rls', array['public.audit_logs']),
    ('V-12', 'append_only', array['public.audit_logs']),
    ('V-12', 'cascade', array['public.audit_logs']),
    ('V-12', 'retention_job', array['public.audit_logs']),
    ('V-13', 'rls', array['public.library_items']),
    ('V-13', 'cascade', array['public.library_items']),
    ('V-15', 'rls', array['public.processing_restrictions', 'public.duel_objections']),
    ('V-15', 'cascade', array['public.processing_restrictions', 'public.duel_objections']),
    (
        'V-15', 'rpc',
        array[
            'public.export_my_data()', 'public.delete_my_account()', 'public.restrict_processing(text)',
            'public.lift_processing_restriction(uuid,text)', 'public.export_user_data(uuid)',
            'public.delete_user_account(uuid)'
        ]
    )
) as v (ropa_id, measure, tables);
