"""Generators of artefacts for other tools: pgTAP files (`migrate.py gen pgtap`), JSON
Schemas and type definitions (`migrate.py gen types`)."""
