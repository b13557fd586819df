"""report: rendered from the deployed schema, complete, and the HTML is well formed."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dgskills_db import report, runner

ROOT = Path(__file__).resolve().parents[2]
VOID = {"meta", "br", "hr", "img", "link", "input"}


class Balanced(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.errors = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
        else:
            self.stack.pop()


@pytest.fixture
def deployed(db):
    runner.up(db.dsn)
    return db


def tables_and_jobs(owner):
    tables = [r[0] for r in owner.execute("select relname from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r'").fetchall()]
    jobs = [r[0] for r in owner.execute("select job from app_private.retention_job").fetchall()]
    return tables, jobs


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_report_has_every_table_every_job_and_the_verify_result(deployed, owner, fmt):
    text = report.render(deployed.dsn, fmt)
    tables, jobs = tables_and_jobs(owner)
    assert len(tables) == 22 and len(jobs) == 10
    for t in tables:
        assert f"<code>{t}</code>" in text if fmt == "html" else f"`{t}`" in text, t
    for j in jobs:
        assert j in text, j
    assert "verify: clean" in text or "verify`: **clean**" in text
    for word in ("Legal basis", "Retention", "When an account is deleted", "Export (Art. 15/20)", "Privileges"):
        assert word in text


def test_report_shows_findings_when_there_are_some(deployed, owner):
    owner.execute("alter table public.feedback disable row level security")
    text = report.render(deployed.dsn, "md", drift=False)
    assert "rls_disabled_in_public" in text and "2 ERROR" in text


def test_html_is_self_contained_and_well_formed(deployed):
    text = report.render(deployed.dsn, "html")
    p = Balanced()
    p.feed(text)
    p.close()
    assert p.errors == [] and p.stack == []
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), "no external assets"
    assert "@media print" in text


def test_committed_examples_cover_the_current_schema(deployed, owner):
    tables, jobs = tables_and_jobs(owner)
    for name in ("report.md", "report.html"):
        text = (ROOT / "docs" / name).read_text()
        for t in tables:
            assert t in text, (name, t)
        for j in jobs:
            assert j in text, (name, j)
