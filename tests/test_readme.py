"""README.md's generated sections equal what the tests and the declaration say."""

from dgskills_db import readme


def test_readme_sections_are_current(db):
    text = readme.README.read_text()
    for name, body in readme.sections(db.dsn).items():
        assert readme.current(text, name) == body, f"README section {name} is stale: run python -m dgskills_db.readme"


def test_readme_documents_every_verify_check_and_rpc(db):
    from dgskills_db import verify

    text = readme.README.read_text()
    for name in verify.check_names():
        assert f"`{name}`" in text, name
    with db.connect() as c:
        rpcs = [r[0] for r in c.execute("""select p.proname from pg_proc p where p.pronamespace = 'public'::regnamespace
                                            and p.prosecdef""").fetchall()]
    for name in rpcs:
        assert f"`{name}(" in text, name


def test_readme_sqlstates_are_the_ones_the_tests_accept():
    from rpc.test_bad_input import DOCUMENTED

    text = readme.README.read_text()
    for code in DOCUMENTED:
        assert f"`{code}`" in text, code
