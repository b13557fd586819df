"""The auth shim's default-privileges regime (S-AUTH-1 on plain PostgreSQL).

Supabase long granted ALL on every new table, function and sequence in `public` to anon,
authenticated and service_role through default privileges (`legacy`); new projects no
longer do (`secure`: no default privileges for the API roles, every grant is explicit).
The shim reproduces either, so the project is tested under both: chosen by `up
--default-privileges`, else $DGSKILLS_DEFAULT_PRIVILEGES, else `legacy`. It matters only
when the shim is installed (a database without schema `auth`); on Supabase the platform's
own setting applies.
"""

from __future__ import annotations

import os

REGIMES = ("legacy", "secure")
ENV = "DGSKILLS_DEFAULT_PRIVILEGES"
SETTING = "dgskills.api_default_privileges"  # read by dgskills_db/sql/auth_shim.sql


def regime(explicit: str | None = None) -> str:
    value = explicit or os.environ.get(ENV) or "legacy"
    if value not in REGIMES:
        raise ValueError(f"default privileges regime must be one of {', '.join(REGIMES)}, not {value!r}"
                         + ("" if explicit else f" (from ${ENV})"))
    return value
