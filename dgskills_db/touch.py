"""Touch only what changed: which unchanged repeatable files a deploy really has to re-run.

A versioned file can invalidate what a repeatable file declared (a dropped and re-created
table loses its policies, grants and triggers), so after versioned files the runner used
to re-run every repeatable file — dropping and re-creating every policy, grant and trigger
of every table, one ACCESS EXCLUSIVE lock after another. Instead:

1. before the deploy transaction, `sql/` is built into a scratch database on the same
   server, and for each repeatable file the catalog objects it defines are recorded: a
   snapshot of the catalog before and after the file, and every key whose value the file
   changed is the file's (policies, the set of policies of a table, triggers, table and
   column privileges and comments, RLS flags, functions with their privileges and comments,
   schema privileges, and the rows of the tables the file writes with DML);
2. inside the deploy transaction, after the versioned files, the same keys are read from the
   live catalog; an unchanged repeatable file runs only when one of its keys differs from
   the fresh build.

Generic by construction: nothing here knows a table, policy or file by name. Files whose
text changed always run (they are what the deploy is for). When the scratch database
cannot be created (no CREATEDB), every repeatable file runs as before, with a note.

The forecast (`forecast`): `plan` must name exactly the files `up` will run, without
running anything on the live database. So the decision is made before the deploy
transaction, from what can be read: a second scratch database holds the state the
history describes (the applied versioned files, then the unchanged repeatable files),
snapshotted before and after the pending versioned files — the keys that differ are
what those files change. A key's value after the versioned files is forecast as the
scratch's value where the versioned files change it, else the live value read now; an
unchanged repeatable file runs when one of its keys so forecast differs from the fresh
build; a key that the versioned files change and that was also changed by hand (its live
value differs from the scratch's before them) cannot be forecast, so its file runs.
`plan` and `up` call the same function on the same inputs, so they name the same
files. Inside the transaction `up` then checks the live catalog: a file whose objects
still differ from the fresh build (a forecast proved wrong, e.g. a hand change on an
object a versioned file also changes) is run as well, with a note saying so.
"""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import psycopg

from .dsn import with_dbname
from .sqlfiles import SqlFile

SCHEMAS = ["public", "app_private"]

_ACL = """(select pg_catalog.string_agg(coalesce(r.rolname, 'public') || ':' || a.privilege_type
                                        || case when a.is_grantable then '*' else '' end, ','
                                        order by coalesce(r.rolname, 'public'), a.privilege_type)
             from pg_catalog.aclexplode({acl}) a left join pg_catalog.pg_roles r on r.oid = a.grantee)"""

_SNAPSHOT = f"""
select 'policy:' || p.polrelid::regclass || ':' || p.polname,
       concat_ws('|', p.polcmd::text, p.polpermissive,
                 (select pg_catalog.string_agg(coalesce(r.rolname, 'public'), ',' order by coalesce(r.rolname, 'public'))
                    from pg_catalog.unnest(p.polroles) o left join pg_catalog.pg_roles r on r.oid = o),
                 pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid),
                 pg_catalog.obj_description(p.oid, 'pg_policy'))
  from pg_catalog.pg_policy p join pg_catalog.pg_class c on c.oid = p.polrelid
 where c.relnamespace::regnamespace::text = any(%(s)s)
union all
select 'policies-of:' || c.oid::regclass,
       (select pg_catalog.string_agg(p.polname, ',' order by p.polname) from pg_catalog.pg_policy p where p.polrelid = c.oid)
  from pg_catalog.pg_class c
 where c.relnamespace::regnamespace::text = any(%(s)s) and c.relkind in ('r', 'p')
union all
select 'trigger:' || t.tgrelid::regclass || ':' || t.tgname,
       pg_catalog.pg_get_triggerdef(t.oid) || '|' || t.tgenabled::text || '|'
       || coalesce(pg_catalog.obj_description(t.oid, 'pg_trigger'), '')
  from pg_catalog.pg_trigger t join pg_catalog.pg_class c on c.oid = t.tgrelid
 where not t.tgisinternal and c.relnamespace::regnamespace::text = any(%(s)s)
union all
select 'triggers-of:' || c.oid::regclass,
       (select pg_catalog.string_agg(t.tgname, ',' order by t.tgname) from pg_catalog.pg_trigger t
         where t.tgrelid = c.oid and not t.tgisinternal)
  from pg_catalog.pg_class c
 where c.relnamespace::regnamespace::text = any(%(s)s) and c.relkind in ('r', 'p')
union all
select 'relation:' || c.oid::regclass,
       concat_ws('|', c.relkind::text, c.relrowsecurity, c.relforcerowsecurity, {_ACL.format(acl="c.relacl")},
                 pg_catalog.obj_description(c.oid, 'pg_class'),
                 case when c.relkind in ('v', 'm') then pg_catalog.pg_get_viewdef(c.oid) end,
                 c.reloptions::text)
  from pg_catalog.pg_class c
 where c.relnamespace::regnamespace::text = any(%(s)s) and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
union all
select 'column:' || a.attrelid::regclass || '.' || a.attname,
       concat_ws('|', {_ACL.format(acl="a.attacl")}, pg_catalog.col_description(a.attrelid, a.attnum))
  from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid
 where c.relnamespace::regnamespace::text = any(%(s)s) and c.relkind in ('r', 'p', 'v', 'm', 'f')
   and a.attnum > 0 and not a.attisdropped
union all
select 'function:' || p.oid::regprocedure,
       concat_ws('|', pg_catalog.pg_get_functiondef(p.oid), {_ACL.format(acl="p.proacl")},
                 pg_catalog.obj_description(p.oid, 'pg_proc'))
  from pg_catalog.pg_proc p
 where p.pronamespace::regnamespace::text = any(%(s)s) and p.prokind in ('f', 'p')
union all
select 'schema:' || n.nspname, concat_ws('|', {_ACL.format(acl="n.nspacl")}, pg_catalog.obj_description(n.oid, 'pg_namespace'))
  from pg_catalog.pg_namespace n
 where n.nspname = any(%(s)s)
"""


def snapshot(conn: psycopg.Connection, data_tables: set[str] = frozenset()) -> dict[str, str | None]:
    """key -> definition of every object a repeatable file can declare (read in the current transaction)."""
    with conn.transaction():
        conn.execute("select pg_catalog.set_config('search_path', '', true)")
        snap = dict(conn.execute(_SNAPSHOT, {"s": SCHEMAS}).fetchall())
        for t in sorted(data_tables):
            if conn.execute("select pg_catalog.to_regclass(%s) is not null", (t,)).fetchone()[0]:
                snap[f"rows:{t}"] = conn.execute(
                    f"select pg_catalog.md5(coalesce(pg_catalog.string_agg(x::text, ',' order by x::text), '')) "
                    f"from {t} x").fetchone()[0]
    return snap


def data_tables(files: list[SqlFile]) -> set[str]:
    """Tables the files write with INSERT/UPDATE/DELETE (declarations seeded by a repeatable file)."""
    from pglast import ast

    out: set[str] = set()
    for f in files:
        for st in f.statements():
            import pglast

            for raw in pglast.parse_sql(st.text):
                node = raw.stmt
                if isinstance(node, (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt)) and node.relation:
                    rv = node.relation
                    out.add(f"{rv.schemaname or 'public'}.{rv.relname}")
    return out


@dataclasses.dataclass
class Declared:
    """What a fresh build declares: the final snapshot and, per repeatable file, its keys."""
    final: dict[str, str | None]
    keys: dict[str, set[str]]
    tables: set[str]

    def stale(self, live: dict[str, str | None], f: SqlFile) -> list[str]:
        """The keys of `f` whose live definition differs from the fresh build."""
        return sorted(k for k in self.keys.get(f.name, ()) if live.get(k) != self.final.get(k))


class Recorder:
    """Hooks for the scratch build: snapshot around each repeatable file."""

    def __init__(self, tables: set[str]):
        self.tables = tables
        self.keys: dict[str, set[str]] = {}
        self._before: dict[str, str | None] = {}

    def before(self, conn: psycopg.Connection, f: SqlFile) -> None:
        self._before = snapshot(conn, self.tables)

    def after(self, conn: psycopg.Connection, f: SqlFile) -> None:
        after = snapshot(conn, self.tables)
        self.keys[f.name] = {k for k in set(self._before) | set(after) if self._before.get(k) != after.get(k)}


def declared(dsn: str, sql_root: Path, repeatable: list[SqlFile]) -> Declared:
    """Build sql/ into a scratch database and record what each repeatable file declares.
    Raises psycopg.Error when the scratch database cannot be created or built."""
    from . import apply

    tables = data_tables(repeatable)
    scratch = f"dgskills_touch_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f'create database "{scratch}"')
    try:
        scratch_dsn = with_dbname(dsn, scratch)
        rec = Recorder(tables)
        apply.up(scratch_dsn, sql_root, reconcile_cron=False, check_bodies=False, recorder=rec, compare=False)
        with psycopg.connect(scratch_dsn, autocommit=True) as c:
            final = snapshot(c, tables)
    finally:
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'drop database if exists "{scratch}" with (force)')
    return Declared(final, rec.keys, tables)


@dataclasses.dataclass
class Forecast:
    """Which unchanged repeatable files `up` re-runs after the pending versioned files, and why."""
    decl: Declared | None
    rerun: dict[str, list[str]]  # file -> the keys that would differ from the fresh build
    note: str | None = None  # why there is no forecast (then every repeatable file runs)

    @property
    def exact(self) -> bool:
        return self.decl is not None


def _state_tree(dest: Path, files: list[SqlFile]) -> Path:
    for f in files:
        p = dest / f.name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(f.text)
    return dest


def _versioned_effect(dsn: str, applied: list[SqlFile], unchanged: list[SqlFile], pending: list[SqlFile],
                      tables: set[str]) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """(before, after): snapshots of a scratch database holding the state the history
    describes, before and after the pending versioned files."""
    import shutil
    import tempfile

    from . import apply

    scratch = f"dgskills_touch_{uuid.uuid4().hex[:10]}"
    tmp = Path(tempfile.mkdtemp(prefix="dgskills-forecast-"))
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f'create database "{scratch}"')
    try:
        scratch_dsn = with_dbname(dsn, scratch)
        apply.up(scratch_dsn, _state_tree(tmp, [*applied, *unchanged]), reconcile_cron=False, check_bodies=False,
                 compare=False)
        with apply.connect(scratch_dsn) as c:
            before = snapshot(c, tables)
            for f in pending:
                apply.run_file(c, f)
            after = snapshot(c, tables)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'drop database if exists "{scratch}" with (force)')
    return before, after


def forecast(conn: psycopg.Connection, dsn: str, sql_root: Path, plan, versioned: list[SqlFile],
             repeatable: list[SqlFile]) -> Forecast:
    """The forecast described in the module's docstring. Reads the live catalog through `conn`
    (and the rows of the declaration tables); builds two scratch databases. Without CREATEDB,
    or when the applied state does not build on its own, no forecast: every repeatable runs."""
    from .errors import Interrupted, RunnerError

    state = {s.file: s for s in plan.files}
    applied = [f for f in versioned if state.get(f.name) and state[f.name].state in ("applied", "renamed")]
    pending_names = {s.file for s in plan.pending_versioned}
    pending = [f for f in versioned if f.name in pending_names]
    unchanged = [f for f in repeatable if state.get(f.name) and state[f.name].state == "applied"]
    try:
        decl = declared(dsn, sql_root, repeatable)
        before, after = _versioned_effect(dsn, applied, unchanged, pending, decl.tables)
    except Interrupted:
        raise
    except (psycopg.Error, RunnerError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Forecast(None, {}, "could not build sql/ into a scratch database to compare with the catalog "
                                  f"({first}): every repeatable file is re-applied")
    live = snapshot(conn, decl.tables)
    changes = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    rerun: dict[str, list[str]] = {}
    for f in unchanged:
        # A key the versioned files change: as on the scratch, unless it was changed by hand too (then
        # what the versioned files make of it cannot be foreseen: the file runs).
        stale = sorted(k for k in decl.keys.get(f.name, ())
                       if ((after.get(k) != decl.final.get(k) or live.get(k) != before.get(k)) if k in changes
                           else live.get(k) != decl.final.get(k)))
        if stale:
            rerun[f.name] = stale
    return Forecast(decl, rerun)
