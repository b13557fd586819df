/* splinter 0023 sensitive_columns_exposed (ERROR, EXTERNAL, SECURITY).
   A table the Data API serves without row-level security hands every row to every role with
   a grant; when one of its columns is, by its name, a credential, an identity or bank number,
   health data or a device or biometric identifier, that is a leak of exactly what must not
   leak. Names are compared whole, lower-cased, with '-' read as '_'; the list holds the usual
   English names and the Dutch ones this platform's data would carry (bsn, wachtwoord, ...).
   One finding per table, naming its sensitive columns. */
with sensitive (column_name) as (
    select pg_catalog.unnest(array[
        -- secrets that let someone act as the user or the service
        'password', 'passwd', 'pwd', 'passphrase', 'password_hash', 'wachtwoord',
        'secret', 'client_secret', 'secret_key', 'private_key', 'api_key', 'apikey', 'auth_key',
        'token', 'jwt', 'access_token', 'refresh_token', 'id_token', 'oauth_token', 'bearer_token',
        'session_token', 'session_id', 'session_key', 'session_secret', 'auth_code',
        'otp', 'totp_secret', 'two_factor', '2fa_secret', '2fa_code',
        'recovery_code', 'backup_code', 'verification_code',
        'ssh_key', 'pgp_key', 'gpg_key', 'certificate', 'license_key', 'activation_key',
        -- national and official identity numbers
        'ssn', 'social_security', 'social_security_number', 'national_id', 'tax_id',
        'bsn', 'burgerservicenummer', 'passport_number', 'passport_id', 'paspoortnummer',
        'driver_license', 'drivers_license', 'license_number', 'rijbewijsnummer',
        -- money
        'credit_card', 'card_number', 'cvv', 'cvc', 'cvn', 'iban', 'bic', 'swift_code',
        'bank_account', 'account_number', 'routing_number', 'rekeningnummer',
        -- health (special category, Art. 9 GDPR)
        'medical_record', 'health_record', 'patient_id', 'insurance_number', 'health_insurance',
        'medical_insurance', 'treatment', 'diagnosis',
        -- devices and biometrics
        'imei', 'mac_address', 'macaddr', 'device_uuid', 'facial_recognition', 'fingerprint'
    ])
),

open_table as (
    select c.oid, n.nspname, c.relname
    from pg_catalog.pg_class as c
    inner join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
    where
        c.relkind = 'r'
        and not c.relrowsecurity
        and (pg_catalog.has_table_privilege('anon', c.oid, 'SELECT')
             or pg_catalog.has_table_privilege('authenticated', c.oid, 'SELECT'))
        and n.nspname in (
            select pg_catalog.btrim(s)
            from pg_catalog.string_to_table(pg_catalog.current_setting('pgrst.db_schemas', true), ',') as s
        )
        and n.nspname <> all (array[
            'auth', 'cron', 'extensions', 'graphql', 'graphql_public', 'information_schema', 'net',
            'pg_catalog', 'pgbouncer', 'pgmq', 'pgroonga', 'pgsodium', 'pgsodium_masks', 'pgtle',
            'realtime', 'repack', 'storage', 'supabase_functions', 'supabase_migrations', 'tiger',
            'topology', 'vault', '_timescaledb_cache', '_timescaledb_catalog', '_timescaledb_config',
            '_timescaledb_internal'
        ])
)

select
    'sensitive_columns_exposed' as name,
    'ERROR' as level,
    t.nspname || '.' || t.relname as object,
    format('served by the API without row-level security, with sensitive column(s) %s',
           pg_catalog.string_agg(a.attname, ', ' order by a.attname)) as detail,
    format('alter table %I.%I enable row level security, with policies; and keep secrets out of API tables',
           t.nspname, t.relname) as remediation
from open_table as t
inner join pg_catalog.pg_attribute as a on a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped
where pg_catalog.replace(pg_catalog.lower(a.attname), '-', '_') in (select column_name from sensitive)
group by t.nspname, t.relname
