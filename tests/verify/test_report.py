"""report: rendered from the deployed schema, complete, and the HTML is well formed."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dgskills_db import declarations, report, runner

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
    tables = [r[0] for r in owner.execute("select relname from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p')").fetchall()]
    jobs = [r[0] for r in owner.execute("select job from app_private.retention_job").fetchall()]
    return tables, jobs


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_report_has_every_table_every_job_and_the_verify_result(deployed, owner, fmt):
    text = report.render(deployed.dsn, fmt)
    tables, jobs = tables_and_jobs(owner)
    assert len(tables) == len(declarations.access_matrix().tables) and len(jobs) == 13
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
    # RLS off is two catalog findings and one register finding (V-06 claims RLS for feedback)
    assert "rls_disabled_in_public" in text and "register_measure_unsupported" in text and "3 ERROR" in text


def test_report_says_per_table_who_may_read_and_change_it(deployed, owner):
    owner.execute("create table public.zz_undeclared (id int primary key)")
    text = report.render(deployed.dsn, "md", drift=False)
    for p in declarations.access_matrix().personas:
        assert f"- `{p.name}`: {p.who}" in text
    for t in declarations.access_matrix().tables:
        section = text.split(f"### `{t}`\n", 1)[1].split("\n### ", 1)[0]
        line = next(x for x in section.splitlines() if x.startswith("- **Who may read and change"))
        for verb, who in declarations.who_may(t).items():
            assert f"{verb}: {', '.join(who) if who else 'nobody'}" in line, (t, verb, line)
    undeclared = text.split("### `zz_undeclared`\n", 1)[1].split("\n### ", 1)[0]
    assert "NOT DECLARED in the access matrix" in undeclared


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
        for rid, name_nl, _, _ in activities(owner):
            assert f"{rid} — {name_nl}" in text, (name, rid)


# --- the Art. 30 register --------------------------------------------------------------------------

MARKDOWN = [r"\*\*", "`", r"\|\s*-{3}", r"(?m)^\s*#{1,6}\s", r"\]\(", r"(?m)^\s*\|.*\|\s*$"]


def activities(owner):
    return owner.execute("select ropa_id, name_nl, name_en, footprint from app_private.register_activity order by 1").fetchall()


class Dom(HTMLParser):
    """Text per activity section of a rendered DOM (style and script skipped)."""

    def __init__(self):
        super().__init__()
        self.sections, self.current, self.depth, self.skip, self.text = {}, None, 0, 0, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("style", "script"):
            self.skip += 1
        if tag == "section" and "activity" in (a.get("class") or ""):
            self.current, self.depth = a.get("id"), 0
            self.sections[self.current] = []
        if tag == "section" and self.current:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self.skip -= 1
        if tag == "section" and self.current:
            self.depth -= 1
            if self.depth == 0:
                self.current = None

    def handle_data(self, data):
        if self.skip:
            return
        self.text.append(data)
        if self.current:
            self.sections[self.current].append(data)


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("chromium")
    assert exe, "Debian chromium is missing: `make setup` (scripts/bootstrap.sh) installs it"
    cmd = [exe, "--headless", "--disable-gpu", "--no-sandbox", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, timeout=180)


def test_html_register_renders_in_headless_chromium_with_every_activity(deployed, owner, tmp_path):
    page = tmp_path / "register.html"
    page.write_text(report.render(deployed.dsn, "html", drift=False))
    res = chromium("--dump-dom", page.as_uri(), profile=tmp_path / "profile")
    assert res.returncode == 0, res.stderr.decode()[-2000:]
    dom = Dom()
    dom.feed(res.stdout.decode())
    acts = activities(owner)
    assert len(acts) == 15
    assert sorted(dom.sections) == [a[0] for a in acts]
    for rid, name_nl, name_en, footprint in acts:
        text = " ".join(" ".join(dom.sections[rid]).split())
        assert name_nl in text and name_en in text, rid
        assert ("Geen databasevoetafdruk" in text) == (footprint == "none"), rid
    visible = "".join(dom.text)
    for pattern in MARKDOWN:
        assert not re.search(pattern, visible), f"raw Markdown {pattern!r} in the rendered page"
    shot = tmp_path / "register.png"
    res = chromium(f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri(), profile=tmp_path / "profile")
    assert res.returncode == 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_markdown_register_has_every_activity_with_evidence(deployed, owner):
    text = report.render(deployed.dsn, "md", drift=False)
    for rid, name_nl, name_en, footprint in activities(owner):
        assert f"### {rid} — {name_nl}" in text and f"*{name_en}*" in text
    section = text.split("### V-04 — ")[1].split("\n### ")[0]
    assert "`public.student_activities`" in section and "purge_student_activities" in section
    assert "last successful pg_cron run" in section and "When an account is deleted" in section
    assert "Export (Art. 15/20)" in section and "agrees: deleted by a scheduled retention job" in section
    assert "## Register vs database" in text and "The register checks of `migrate.py verify` find no disagreement" in text
    figures = owner.execute("""select count(*), count(*) filter (where confdeltype = 'c') from pg_constraint
                                where contype = 'f' and confrelid = 'public.users'::regclass and conparentid = 0""").fetchone()
    assert f"Live figures: {figures[0]} foreign keys" in text and f"{figures[1]} delete the row" in text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_register_vs_database_lists_a_disagreement_with_both_sides_and_a_correction(deployed, owner, fmt):
    owner.execute("update app_private.retention_rule set keep = '2 years' where target = 'public.feedback'")
    owner.execute("alter table public.library_items add column tags text")
    text = report.render(deployed.dsn, fmt, drift=False)
    vs = text.split("Register vs database")[1].split("Notes for the privacy officer")[0]
    assert "purge_feedback -&gt; public.feedback" in vs or "purge_feedback -> public.feedback" in vs
    assert "2 years" in vs and "register V-06 says 1 year" in vs and "sql/cron/0100_retention.sql" in vs
    assert "public.library_items.tags" in vs and "register_column" in vs
    # and each finding shows in the section of the activity it concerns
    v06 = text.split("V-06 — ")[1].split("V-07 — ")[0]
    assert "register_retention_mismatch" in v06
    v13 = text.split("V-13 — ")[-1].split("V-14 — ")[0]
    assert "register_column_uncovered" in v13
