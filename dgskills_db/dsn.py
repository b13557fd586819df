"""Connection strings: the same server, another database."""

from __future__ import annotations

from urllib.parse import quote

from psycopg.conninfo import conninfo_to_dict, make_conninfo


def with_dbname(dsn: str, dbname: str, password: str | None = None) -> str:
    """`dsn` pointing at another database of the same server (libpq key=value form)."""
    params = conninfo_to_dict(dsn)
    params["dbname"] = dbname
    if password:
        params["password"] = password
    return make_conninfo(**params)


def as_url(dsn: str) -> str:
    """The same connection as a postgresql:// URL (for libraries that accept only URLs)."""
    p = conninfo_to_dict(dsn)
    auth = quote(p.get("user", ""), safe="")
    if p.get("password"):
        auth += ":" + quote(p["password"], safe="")
    host = p.get("host", "")
    socket_dir = host.startswith("/")
    netloc = (auth + "@" if auth else "") + ("" if socket_dir else f"[{host}]" if ":" in host else quote(host, safe=""))
    if p.get("port") and not socket_dir:
        netloc += f":{p['port']}"
    query = f"?host={quote(host, safe='')}" + (f"&port={p['port']}" if p.get("port") else "") if socket_dir else ""
    return f"postgresql://{netloc}/{quote(p.get('dbname', ''), safe='')}{query}"
