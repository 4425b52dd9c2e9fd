"""The catalog's package data: the YAML rules and the CSV reference tables.

The loader lives in :mod:`tripwire.scenario.catalog` (the scenario layer validates the
catalog with the same schema as scenarios); it is re-exported here so that
``from tripwire.catalog import load_catalog`` keeps working. This package imports only that
loader: the scenario layer never imports this package, so the two are not a cycle.
"""

from tripwire.scenario.catalog import (
    FITTED,
    Catalog,
    Rung,
    load_catalog,
    names_from,
    read_reference,
)

__all__ = ["FITTED", "Catalog", "Rung", "load_catalog", "names_from", "read_reference"]
