"""Typed RPC contracts (contracts/, `migrate.py gen types`): the committed files equal what
the database generates; real exports and real RPC results, called as PostgREST calls them,
validate against the JSON Schemas; the schemas are strict enough to catch a change."""

from __future__ import annotations

import copy
import importlib.util
import json

import jsonschema
import pytest
from referencing import Registry, Resource

import world as world_mod
from dgskills_db.gen import contracts
from personas import as_role


def load(name: str) -> dict:
    return json.loads((contracts.OUT / name).read_text())


@pytest.fixture(scope="module")
def registry() -> Registry:
    export = load("export.schema.json")
    return Registry().with_resource("export.schema.json", Resource.from_contents(export)).with_resource(
        export["$id"], Resource.from_contents(export))


def validator(schema: dict, registry: Registry) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema, registry=registry)


def rpc_def(name: str) -> dict:
    doc = load("rpc.schema.json")
    return {"$schema": doc["$schema"], **doc["$defs"][name]}


def test_committed_contracts_are_current(server_dsn, tmp_path):
    contracts.generate(server_dsn, tmp_path)
    for name in contracts.FILES:
        assert (tmp_path / name).read_text() == (contracts.OUT / name).read_text(), (
            f"contracts/{name} is stale: run `migrate.py gen types`")


def test_the_schemas_are_valid_json_schema_and_the_python_types_import():
    for name in ("export.schema.json", "rpc.schema.json"):
        jsonschema.Draft202012Validator.check_schema(load(name))
    spec = importlib.util.spec_from_file_location("dgskills_contract_types", contracts.OUT / "types.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert set(mod.RPCS) == {d.split(".")[0] for d in load("rpc.schema.json")["$defs"]}
    ts = (contracts.OUT / "types.ts").read_text()
    assert all(f"      {name}: {{" in ts for name in mod.RPCS)


# One PostgREST call per RPC: persona, arguments.
def calls(w) -> dict:
    u = w.users
    return {
        "is_teacher": ("authenticated", u["teacher-same-school"], {}),
        "school_directory": ("authenticated", u["subject"], {}),
        "export_my_data": ("authenticated", u["subject"], {}),
        "export_user_data": ("authenticated", u["admin-same-school"], {"user_id": str(u["subject"])}),
        "restrict_processing": ("authenticated", u["student-same-school"], {"reason": "objection to processing"}),
        "lift_processing_restriction": ("authenticated", u["admin-same-school"],
                                        {"user_id": str(u["student-same-school"]), "reason": "objection withdrawn"}),
        "override_step_completion": ("authenticated", u["teacher-same-school"],
                                     {"student_id": str(u["subject"]), "mission_id": "m1", "step": 2,
                                      "completed": True, "reason": "done in class"}),
        "mark_pupil_left": ("authenticated", u["admin-same-school"], {"user_id": str(u["student-same-school"])}),
        "unmark_pupil_left": ("authenticated", u["admin-same-school"], {"user_id": str(u["student-same-school"])}),
        "award_xp": ("service_role", None, {"user_id": str(u["subject"]), "amount": 10, "source": "quiz"}),
        "submit_pilot_request": ("service_role", None, {
            "contact_name": "Jan", "email": "jan@school.example", "school_name": "School X",
            "contact_role": "ict", "pupil_count": 300, "message": "interested", "ip": "192.0.2.7"}),
        "delete_user_account": ("authenticated", u["admin-same-school"], {"user_id": str(u["bystander-pupil"])}),
        "delete_my_account": ("authenticated", u["student-other-school"], {}),
        "publish_shared_work": ("authenticated", u["subject"],
                                {"kind": "project", "id": w.rows["shared_projects"], "consent": True}),
        "unpublish_shared_work": ("authenticated", u["subject"], {"kind": "game", "id": w.rows["shared_games"]}),
    }


def call(conn, name: str, role: str, sub, args: dict):
    """As PostgREST: named arguments cast to the declared types, the result as JSON."""
    types = dict(conn.execute(
        """select coalesce(p.proargnames[a.i::int], ''), format_type(a.t, null)
             from pg_proc p, unnest(p.proargtypes::oid[]) with ordinality as a (t, i)
            where p.oid = (select oid from pg_proc where proname = %s and pronamespace = 'public'::regnamespace)""",
        (name,)).fetchall())
    named = ", ".join(f"{k} => %({k})s::{types[k]}" for k in args)
    setof = conn.execute("select proretset from pg_proc where proname = %s and pronamespace = 'public'::regnamespace",
                         (name,)).fetchone()[0]
    sql = (f"select coalesce(jsonb_agg(to_jsonb(r)), '[]') from public.{name}({named}) as r" if setof
           else f"select to_jsonb(public.{name}({named}))")
    with as_role(conn, role, sub, commit=True) as c:
        return c.execute(sql, args).fetchone()[0]


def test_every_rpc_result_and_arguments_validate_against_its_schema(owner, registry):
    w = world_mod.build(owner)
    cases = calls(w)
    assert set(cases) == {d.split(".")[0] for d in load("rpc.schema.json")["$defs"]}, "an RPC without a call case"
    for name, (role, sub, args) in cases.items():
        validator(rpc_def(f"{name}.args"), registry).validate(args)
        result = call(owner, name, role, sub, args)
        errors = [e.message for e in validator(rpc_def(f"{name}.result"), registry).iter_errors(result)]
        assert errors == [], (name, errors, result)


def test_a_real_export_with_rows_in_every_table_validates_and_is_complete(owner, registry):
    w = world_mod.build(owner)
    export = call(owner, "export_my_data", "authenticated", w.users["subject"], {})
    validator(load("export.schema.json"), registry).validate(export)
    assert export["schema_version"] == "2.0"
    # the schema is strict: a changed export fails it
    v = validator(load("export.schema.json"), registry)
    extra = copy.deepcopy(export)
    extra["data"]["homework"] = []
    assert not v.is_valid(extra)
    table = next(t for t, rows in export["data"].items() if rows)
    renamed = copy.deepcopy(export)
    renamed["data"][table][0]["surprise"] = 1
    assert not v.is_valid(renamed)
    wrong = copy.deepcopy(export)
    wrong["schema_version"] = "1.0"
    assert not v.is_valid(wrong)


def test_arguments_schemas_are_strict(registry):
    v = validator(rpc_def("export_user_data.args"), registry)
    assert v.is_valid({"user_id": "9f1c1a2e-0000-4000-8000-000000000000"})
    assert not v.is_valid({})
    assert not v.is_valid({"user_id": 5})
    assert not v.is_valid({"user_id": "x", "extra": 1})
