"""The generated TypeScript types (contracts/types.ts) compile, with `tsc --noEmit --strict`
(TypeScript pinned, installed by scripts/bootstrap.sh): a usage file written as a backend team
writes it type-checks, and one that passes a wrong argument type does not, at that very line —
so the check cannot pass vacuously. The Python types (contracts/types.py) likewise: real RPC
arguments, results and a real export conform to their TypedDicts (every required key, no unknown
key, each value of its declared type), and a wrong type or an unknown key does not."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import types
import typing
from pathlib import Path

import pytest

import world as world_mod
from dgskills_db.gen import contracts
from ecosystem import tools
from ecosystem.test_contracts import call, calls

HERE = Path(__file__).resolve().parent / "ts"
TSC_FLAGS = ["--noEmit", "--strict", "--target", "es2022", "--module", "esnext", "--moduleResolution", "bundler"]


def tsc(*files: Path) -> subprocess.CompletedProcess:
    exe, why = tools.find_tsc()
    if exe is None:
        pytest.skip(why)
    return subprocess.run([str(exe), *TSC_FLAGS, *map(str, files)], capture_output=True, text=True, timeout=300,
                          cwd=tools.ROOT)


def test_the_generated_types_and_a_usage_file_type_check_strictly():
    assert (HERE / "usage_ok.ts").read_text().count('from "../../../contracts/types"') == 1
    res = tsc(contracts.OUT / "types.ts", HERE / "usage_ok.ts")
    assert res.returncode == 0, res.stdout + res.stderr


def test_a_wrong_argument_type_does_not_type_check():
    bad = HERE / "usage_bad.ts"
    line = next(i for i, text in enumerate(bad.read_text().splitlines(), 1) if "EXPECTED ERROR" in text)
    res = tsc(contracts.OUT / "types.ts", bad)
    assert res.returncode != 0
    errors = re.findall(r"^(\S+)\((\d+),\d+\): error (TS\d+)", res.stdout, re.M)
    assert [(Path(f).name, int(n), code) for f, n, code in errors] == [("usage_bad.ts", line, "TS2322")], res.stdout


def python_types():
    name = "dgskills_contract_types"
    spec = importlib.util.spec_from_file_location(name, contracts.OUT / "types.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # so that the postponed annotations resolve
    spec.loader.exec_module(mod)
    return mod


def mismatches(value, tp, path: str = "$") -> list[str]:
    """Where a JSON value does not conform to a type of contracts/types.py (TypedDicts, unions,
    literals, lists, dicts, str/int/float/bool/None, Any)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is typing.Any:
        return []
    if tp is None or tp is type(None):
        return [] if value is None else [f"{path}: {value!r} is not null"]
    if typing.is_typeddict(tp):
        if not isinstance(value, dict):
            return [f"{path}: {value!r} is not an object"]
        hints = typing.get_type_hints(tp)
        out = [f"{path}: missing {k}" for k in tp.__required_keys__ - value.keys()]
        out += [f"{path}: unknown key {k}" for k in value.keys() - hints.keys()]
        for k, v in value.items():
            if k in hints:
                out += mismatches(v, hints[k], f"{path}.{k}")
        return out
    if origin in (typing.Union, types.UnionType):
        arms = [mismatches(value, a, path) for a in args]
        return [] if any(not m for m in arms) else [f"{path}: {value!r} matches none of {tp}"]
    if origin is typing.Literal:
        return [] if any(value == a and type(value) is type(a) for a in args) else [f"{path}: {value!r} not in {args}"]
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: {value!r} is not an array"]
        return [m for i, v in enumerate(value) for m in mismatches(v, args[0], f"{path}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{path}: {value!r} is not an object"]
        return [m for k, v in value.items() for m in mismatches(v, args[1], f"{path}.{k}")]
    if tp is bool:
        ok = isinstance(value, bool)
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif tp is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif tp is str:
        ok = isinstance(value, str)
    else:
        return [f"{path}: the check does not know the type {tp}"]
    return [] if ok else [f"{path}: {value!r} is not {tp.__name__}"]


def py_name(rpc: str, part: str) -> str:
    return "".join(w.capitalize() for w in rpc.split("_")) + part


def test_real_rpc_results_and_a_real_export_conform_to_the_python_types(owner):
    mod = python_types()
    w = world_mod.build(owner)
    cases = calls(w)
    assert set(cases) == set(mod.RPCS)
    results = {}
    for name, (role, sub, args) in cases.items():
        args_t, result_t = getattr(mod, py_name(name, "Args"), None), getattr(mod, py_name(name, "Result"), None)
        assert args_t is not None and result_t is not None, f"no Python types for {name}"
        assert mismatches(args, args_t) == [], name
        results[name] = result = json.loads(json.dumps(call(owner, name, role, sub, args)))
        assert mismatches(result, result_t) == [], (name, result)
    # not vacuous: a wrong type or an unknown key in a real result is found
    export = results["export_my_data"]
    assert sum(len(rows) for rows in export["data"].values()) > 0
    assert mismatches(export, mod.ExportV2) == []
    assert mismatches({**export, "schema_version": 2}, mod.ExportV2) == ["$.schema_version: 2 not in ('2.0',)"]
    assert mismatches({**export, "surprise": 1}, mod.ExportV2) == ["$: unknown key surprise"]
    left = results["mark_pupil_left"]
    assert mismatches(left, mod.MarkPupilLeftResult) == []
    assert mismatches({**left, "deleted_before": 20260701}, mod.MarkPupilLeftResult) == [
        "$.deleted_before: 20260701 is not str"]
