"""The fixture platform lives in the product (dgskills_db/world.py): the pgTAP generator
builds it too. Tests import it as `world`."""

from dgskills_db.world import PROBES, World, add_user, as_json, build, ins, params, probe  # noqa: F401
