"""Country profiles: a Frictionless data package of country facts, and the tools that check it.

    >>> import country_profiles as cp
    >>> cp.load("demographics")        # a typed DataFrame, indexed by the primary key
    >>> cp.wide("forces")              # one column per indicator, indexed by (country, year)
    >>> cp.profile("KGZ")              # latest figures, borders, groups, memberships as a dict
    >>> cp.schema("demographics")      # a pandera.pandas.DataFrameSchema: validate your own frame

The functions import pandas when called, so importing this package stays cheap.
"""

__version__ = "0.1.0"

from country_profiles.api import load, load_package, profile, profiles, wide  # noqa: E402


def schema(name: str, package=None):  # noqa: ANN001, ANN201  (pandera is imported when called)
    """The Pandera schema of table `name`: see country_profiles.pandera_schemas."""
    from country_profiles.pandera_schemas import schema as build

    return build(name, package)


__all__ = ["__version__", "load", "load_package", "profile", "profiles", "schema", "wide"]
