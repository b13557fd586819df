"""`migrate.py gen types`: typed contracts of the API, generated from the database.

From a fresh build of sql/ (so the output depends on sql/ only):
  contracts/export.schema.json   JSON Schema (2020-12) of the Art. 15/20 export, schema_version
                                 2.0: one array per table that references an account, its rows'
                                 properties the table's columns with their types and nullability
                                 (secret-looking columns are left out, as the export leaves them out)
  contracts/rpc.schema.json      per RPC (functions in public an API role may execute): the
                                 arguments (names, types, which are required: from pg_proc) and
                                 the result (from its declared return type; a jsonb result's
                                 shape is declared in RESULTS below, and the tests check every
                                 declaration against real results)
  contracts/types.ts             TypeScript: ExportV2 and a `Database` type in supabase-js's
                                 shape (Database["public"]["Functions"][name]["Args"|"Returns"])
  contracts/types.py             Python TypedDicts of the same
"""

from __future__ import annotations

import json
import keyword
import re
import uuid
from pathlib import Path
from typing import Any

import psycopg

from .. import runner
from ..dsn import with_dbname

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "contracts"
FILES = ("export.schema.json", "rpc.schema.json", "types.ts", "types.py")
DIALECT = "https://json-schema.org/draft/2020-12/schema"
API_ROLES = ("anon", "authenticated", "service_role")
SECRET = re.compile(r"(password|token|secret)", re.I)  # as app_private.export_user leaves them out

# The shape of each jsonb result that is not the export. Checked against real results by
# tests/ecosystem/test_contracts.py.
_COUNTS = {"type": "object", "description": "Per table: rows removed (cascade) and rows kept but disconnected (set null).",
           "additionalProperties": {"type": "object", "additionalProperties": False, "minProperties": 1,
                                    "properties": {"deleted": {"type": "integer", "minimum": 0},
                                                   "disconnected": {"type": "integer", "minimum": 0}}}}
# The erasure receipt: the audit entry's id and the random token the data subject keeps (the
# account's id is gone with it).
_DELETED = {"type": "object", "required": ["deleted", "receipt_id", "receipt", "counts"], "additionalProperties": False,
            "properties": {"deleted": {"const": True}, "receipt_id": {"type": "integer"},
                           "receipt": {"type": "string", "format": "uuid"}, "counts": _COUNTS}}
# Shared work published to the class with consent (S-RLS-8), or private again.
_PUBLISHED = {"type": "object", "required": ["kind", "id", "visibility", "published_at", "changed"],
              "additionalProperties": False,
              "properties": {"kind": {"enum": ["project", "game"]}, "id": {"type": "integer"},
                             "visibility": {"enum": ["private", "class"]},
                             "published_at": {"type": ["string", "null"], "format": "date-time"},
                             "changed": {"type": "boolean"}}}
RESULTS: dict[str, dict] = {
    "export_my_data": {"$ref": "export.schema.json"},
    "export_user_data": {"$ref": "export.schema.json"},
    "delete_my_account": _DELETED,
    "delete_user_account": _DELETED,
    "restrict_processing": {"type": "object", "required": ["restricted", "changed", "restricted_at"],
                            "additionalProperties": False,
                            "properties": {"restricted": {"const": True}, "changed": {"type": "boolean"},
                                           "restricted_at": {"type": "string", "format": "date-time"}}},
    "lift_processing_restriction": {"type": "object", "required": ["restricted", "changed"],
                                    "additionalProperties": False,
                                    "properties": {"restricted": {"const": False}, "changed": {"type": "boolean"}}},
    "override_step_completion": {"type": "object", "required": ["id", "status", "completed_by", "previous_status"],
                                 "additionalProperties": False,
                                 "properties": {"id": {"type": "integer"}, "status": {"type": "string"},
                                                "completed_by": {"type": ["string", "null"]},
                                                "previous_status": {"type": ["string", "null"]}}},
    "mark_pupil_left": {"type": "object", "required": ["user_id", "left_on", "deleted_from", "deleted_before"],
                        "additionalProperties": False,
                        "properties": {"user_id": {"type": "string", "format": "uuid"},
                                       "left_on": {"type": "string", "format": "date"},
                                       "deleted_from": {"type": "string", "format": "date"},
                                       "deleted_before": {"type": "string", "format": "date"}}},
    "unmark_pupil_left": {"type": "object", "required": ["user_id", "left_on", "changed"],
                          "additionalProperties": False,
                          "properties": {"user_id": {"type": "string", "format": "uuid"}, "left_on": {"type": "null"},
                                         "changed": {"type": "boolean"}}},
    "publish_shared_work": _PUBLISHED,
    "unpublish_shared_work": _PUBLISHED,
    "award_xp": {"type": "object", "required": ["id", "total"], "additionalProperties": False,
                 "properties": {"id": {"type": "integer"}, "total": {"type": "integer"}}},
    "submit_pilot_request": {"type": "object", "required": ["accepted"], "additionalProperties": False,
                             "properties": {"accepted": {"const": True}, "id": {"type": "integer"}}},
}


# The export's `subject` (app_private.export_user): each key and the column it is read from, so
# that it is typed from the catalog. The schema is strict (every key, no other), so a key the
# export adds or drops fails tests/ecosystem/test_contracts.py against a real export.
SUBJECT: dict[str, str] = {
    "id": "public.users.id", "email": "public.users.email", "display_name": "public.users.display_name",
    "first_name": "public.users.first_name", "last_name": "public.users.last_name", "role": "public.users.role",
    "school": "public.schools.name", "class": "public.classes.name", "year_group": "public.users.year_group",
    "education_level": "public.users.education_level",
    "processing_restricted": "public.users.processing_restricted", "restricted_at": "public.users.restricted_at",
    "restricted_reason": "public.processing_restrictions.reason", "account_created_at": "auth.users.created_at",
    "created_at": "public.users.created_at", "updated_at": "public.users.updated_at",
}


# -- PostgreSQL types to JSON Schema ---------------------------------------------------------

_SCALARS = {
    "uuid": {"type": "string", "format": "uuid"},
    "text": {"type": "string"}, "character varying": {"type": "string"}, "character": {"type": "string"},
    "citext": {"type": "string"}, "name": {"type": "string"}, "inet": {"type": "string"},
    "smallint": {"type": "integer"}, "integer": {"type": "integer"}, "bigint": {"type": "integer"},
    "numeric": {"type": "number"}, "real": {"type": "number"}, "double precision": {"type": "number"},
    "boolean": {"type": "boolean"},
    "timestamp with time zone": {"type": "string", "format": "date-time"},
    "timestamp without time zone": {"type": "string"},
    "date": {"type": "string", "format": "date"}, "interval": {"type": "string"},
    "jsonb": {}, "json": {},
}


def _type_schema(conn, typ: int) -> dict:
    row = conn.execute(
        """select t.typtype, t.typelem, t.typbasetype, pg_catalog.format_type(t.oid, null),
                  array(select e.enumlabel::text from pg_catalog.pg_enum e where e.enumtypid = t.oid order by e.enumsortorder)
             from pg_catalog.pg_type t where t.oid = %s""", (typ,)).fetchone()
    typtype, elem, base, name, labels = row
    if typtype == "e":
        return {"type": "string", "enum": list(labels)}
    if typtype == "d":
        return _type_schema(conn, base)
    if elem and name.endswith("[]"):
        return {"type": "array", "items": _type_schema(conn, elem)}
    name = re.sub(r"\(.*\)", "", name)
    if name not in _SCALARS:
        raise ValueError(f"no JSON Schema mapping for PostgreSQL type {name}: add it to contracts._SCALARS")
    return dict(_SCALARS[name])


def _nullable(s: dict) -> dict:
    if not s:
        return s
    if "type" in s and isinstance(s["type"], str):
        return {**s, "type": [s["type"], "null"]} if "enum" not in s else {"anyOf": [s, {"type": "null"}]}
    return {"anyOf": [s, {"type": "null"}]}


# -- the export ----------------------------------------------------------------------------

def export_schema(conn) -> dict:
    tables = conn.execute(
        """select ur.table_name, ur.tbl::oid from app_private.user_references() as ur
            where ur.tbl <> 'public.users'::regclass group by ur.table_name, ur.tbl order by ur.table_name""").fetchall()
    data_props = {}
    for name, oid in tables:
        cols = conn.execute(
            """select a.attname::text, a.atttypid, a.attnotnull from pg_catalog.pg_attribute a
                where a.attrelid = %s and a.attnum > 0 and not a.attisdropped order by a.attnum""", (oid,)).fetchall()
        props = {c: (_type_schema(conn, t) if nn else _nullable(_type_schema(conn, t)))
                 for c, t, nn in cols if not SECRET.search(c)}
        data_props[name] = {"type": "array", "items": {
            "type": "object", "properties": props, "required": sorted(props), "additionalProperties": False}}
    subject = {}
    for key, column in SUBJECT.items():
        schema, table, col = column.split(".")
        typ = conn.execute(
            """select a.atttypid from pg_catalog.pg_attribute a
                where a.attrelid = pg_catalog.to_regclass(%s) and a.attname = %s and not a.attisdropped""",
            (f"{schema}.{table}", col)).fetchone()
        if typ is None:
            raise ValueError(f"contracts.SUBJECT: {key} is declared as {column}, which does not exist")
        subject[key] = _nullable(_type_schema(conn, typ[0]))
    return {
        "$schema": DIALECT,
        "$id": "https://dgskills.example/contracts/export.schema.json",
        "title": "DGSkills data export (GDPR Art. 15 and 20), schema_version 2.0",
        "description": "What export_my_data() and export_user_data() return: the account's profile and every row "
                       "about it, one array per table that references the account. Generated from the database "
                       "by `migrate.py gen types`.",
        "type": "object",
        "required": ["schema_version", "exported_at", "subject", "data"],
        "additionalProperties": False,
        "properties": {
            "schema_version": {"const": "2.0"},
            "exported_at": {"type": "string", "format": "date-time"},
            "subject": {"type": ["object", "null"], "description": "The account's profile (public.users, with "
                        "its school and class names and when the sign-in account was created); each property "
                        "typed as the column it comes from.",
                        "properties": subject, "required": list(subject), "additionalProperties": False},
            "data": {"type": "object", "properties": data_props, "required": sorted(data_props),
                     "additionalProperties": False},
        },
    }


# -- the RPCs ------------------------------------------------------------------------------

def rpcs(conn) -> list[dict]:
    out = []
    for oid, name, nargs, ndefaults, retset, rettype in conn.execute(
        """select p.oid, p.proname::text, p.pronargs, p.pronargdefaults, p.proretset, p.prorettype
             from pg_catalog.pg_proc p
            where p.pronamespace = 'public'::regnamespace and p.prokind = 'f'
              and exists (select from unnest(%s::text[]) r where pg_catalog.has_function_privilege(r, p.oid, 'execute'))
            order by p.proname""", (list(API_ROLES),)).fetchall():
        args = conn.execute(
            """select coalesce(p.proargnames[a.i::int], '$' || a.i), a.t
                 from pg_catalog.pg_proc as p, unnest(p.proargtypes::oid[]) with ordinality as a (t, i)
                where p.oid = %s order by a.i""", (oid,)).fetchall()
        props, required = {}, []
        for i, (arg, typ) in enumerate(args):
            props[arg] = _type_schema(conn, typ)
            if i < nargs - ndefaults:
                required.append(arg)
        args_schema = {"type": "object", "properties": props, "required": required, "additionalProperties": False}
        if name in RESULTS:
            result = RESULTS[name]
        else:
            cols = conn.execute(
                """select n, t from pg_catalog.pg_proc p,
                          unnest(p.proargnames, coalesce(p.proallargtypes, p.proargtypes::oid[]), p.proargmodes)
                          as a (n, t, m)
                    where p.oid = %s and a.m = 't'""", (oid,)).fetchall()
            if cols:
                row = {c: _nullable(_type_schema(conn, t)) for c, t in cols}
                result = {"type": "object", "properties": row, "required": sorted(row), "additionalProperties": False}
            else:
                result = _type_schema(conn, rettype)
                if result == {}:
                    raise ValueError(f"the jsonb result of public.{name} has no declared shape: add it to contracts.RESULTS")
            if retset:
                result = {"type": "array", "items": result}
        roles = [r for r in API_ROLES if conn.execute(
            "select pg_catalog.has_function_privilege(%s, %s::oid, 'execute')", (r, oid)).fetchone()[0]]
        comment = conn.execute("select pg_catalog.obj_description(%s::oid, 'pg_proc')", (oid,)).fetchone()[0] or ""
        out.append({"name": name, "roles": roles, "description": comment, "args": args_schema, "result": result})
    return out


def rpc_schema(conn) -> dict:
    defs = {}
    for r in rpcs(conn):
        defs[f"{r['name']}.args"] = {"description": f"Arguments of public.{r['name']} (POST /rest/v1/rpc/{r['name']}); "
                                     f"executable by {', '.join(r['roles'])}.", **r["args"]}
        defs[f"{r['name']}.result"] = {"description": r["description"], **r["result"]}
    return {"$schema": DIALECT, "$id": "https://dgskills.example/contracts/rpc.schema.json",
            "title": "DGSkills RPCs: arguments and results", "$defs": defs}


# -- TypeScript and Python -----------------------------------------------------------------

def _ts(s: dict, indent: int = 0) -> str:
    pad = "  " * indent
    if "$ref" in s:
        return "ExportV2"
    if "const" in s:
        return json.dumps(s["const"])
    if "enum" in s:
        return " | ".join(json.dumps(v) for v in s["enum"])
    if "anyOf" in s:
        return " | ".join(_ts(x, indent) for x in s["anyOf"])
    t = s.get("type")
    if isinstance(t, list):
        return " | ".join(_ts({**s, "type": x}, indent) for x in t)
    if t == "string":
        return "string"
    if t in ("integer", "number"):
        return "number"
    if t == "boolean":
        return "boolean"
    if t == "null":
        return "null"
    if t == "array":
        inner = _ts(s.get("items", {}), indent)
        return f"({inner})[]" if "|" in inner else f"{inner}[]"
    if t == "object":
        if "properties" not in s and isinstance(s.get("additionalProperties"), dict):
            return f"Record<string, {_ts(s['additionalProperties'], indent)}>"
        props = s.get("properties", {})
        if not props:
            return "Record<PropertyKey, never>" if s.get("additionalProperties") is False else "Record<string, unknown>"
        req = set(s.get("required", []))
        lines = [f"{pad}  {k}{'' if k in req else '?'}: {_ts(v, indent + 1)};" for k, v in props.items()]
        return "{\n" + "\n".join(lines) + f"\n{pad}}}"
    return "Json"


def typescript(export: dict, rpc: list[dict]) -> str:
    fns = "\n".join(f"      {r['name']}: {{\n        Args: {_ts(r['args'], 4)};\n        Returns: {_ts(r['result'], 4)};\n      }};"
                    for r in rpc)
    return (
        "// Generated by `migrate.py gen types` from the database; do not edit.\n"
        "export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[];\n\n"
        f"/** {export['title']} */\n"
        f"export type ExportV2 = {_ts(export)};\n\n"
        "/** The RPCs in supabase-js's shape: createClient<Database>(…).rpc(name, args). */\n"
        "export type Database = {\n  public: {\n    Functions: {\n" + fns + "\n    };\n  };\n};\n"
    )


def _py(s: dict, name_hint: str, defs: list[str]) -> str:
    if "$ref" in s:
        return "ExportV2"
    if "const" in s:
        return f"Literal[{s['const']!r}]"
    if "enum" in s:
        return "Literal[" + ", ".join(repr(v) for v in s["enum"]) + "]"
    if "anyOf" in s:
        return " | ".join(_py(x, name_hint, defs) for x in s["anyOf"])
    t = s.get("type")
    if isinstance(t, list):
        return " | ".join(_py({**s, "type": x}, name_hint, defs) for x in t)
    simple = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}
    if t in simple:
        return simple[t]
    if t == "array":
        return f"list[{_py(s.get('items', {}), name_hint + 'Item', defs)}]"
    if t == "object":
        if "properties" not in s and isinstance(s.get("additionalProperties"), dict):
            return f"dict[str, {_py(s['additionalProperties'], name_hint, defs)}]"
        props = s.get("properties", {})
        if not props:
            return "dict[str, Any]"
        req = set(s.get("required", []))
        fields = {}
        for k, v in props.items():
            typ = _py(v, name_hint + "".join(p.title() for p in k.split("_")), defs)
            fields[k] = typ if k in req else f"NotRequired[{typ}]"
        if all(k.isidentifier() and not keyword.iskeyword(k) for k in fields):
            defs.append(f"class {name_hint}(TypedDict):\n" + "\n".join(f"    {k}: {v}" for k, v in fields.items()) + "\n")
        else:  # a key such as `class` is no Python name: the functional form
            body = "".join(f"    {k!r}: {v},\n" for k, v in fields.items()).replace("'", '"')
            defs.append(f"{name_hint} = TypedDict({name_hint!r}, {{\n{body}}})\n".replace("'", '"'))
        return name_hint
    return "Any"


def python(export: dict, rpc: list[dict]) -> str:
    defs: list[str] = []
    _py(export, "ExportV2", defs)
    names = []
    for r in rpc:
        camel = "".join(p.title() for p in r["name"].split("_"))
        a = _py(r["args"], f"{camel}Args", defs) if r["args"]["properties"] else None
        if a is None:
            defs.append(f"class {camel}Args(TypedDict):\n    pass\n")
        res = _py(r["result"], f"{camel}Result", defs)
        if res != f"{camel}Result":
            defs.append(f"{camel}Result = {res}\n")
        names.append(r["name"])
    return ('"""Generated by `migrate.py gen types` from the database; do not edit."""\n\n'
            "from typing import Any, Literal, NotRequired, TypedDict\n\n\n"
            + "\n\n".join(defs) + "\n\nRPCS = " + json.dumps(names) + "\n")


def generate(dsn: str, out_dir: Path = OUT) -> list[Path]:
    scratch = f"dgskills_types_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f'create database "{scratch}"')
    try:
        sdsn = with_dbname(dsn, scratch)
        runner.up(sdsn, reconcile_cron=False)
        with psycopg.connect(sdsn) as c:
            export = export_schema(c)
            rpc = rpcs(c)
            rpcdoc = rpc_schema(c)
    finally:
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'drop database if exists "{scratch}" with (force)')
    texts = {
        "export.schema.json": json.dumps(export, indent=2) + "\n",
        "rpc.schema.json": json.dumps(rpcdoc, indent=2) + "\n",
        "types.ts": typescript(export, rpc),
        "types.py": python(export, rpc),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        (out_dir / name).write_text(texts[name])
    return [out_dir / n for n in FILES]
