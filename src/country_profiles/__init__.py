"""Country profiles: a Frictionless data package of country facts, and the tools that check it.

    >>> import country_profiles as cp
    >>> cp.load("demographics")        # a typed DataFrame, indexed by the primary key
    >>> cp.wide("forces")              # one column per indicator, indexed by (country, year)
    >>> cp.profile("KGZ")              # latest figures, borders, groups, memberships as a dict

The functions import pandas when called, so importing this package stays cheap.
"""

__version__ = "0.1.0"

from country_profiles.api import load, load_package, profile, profiles, wide  # noqa: E402

__all__ = ["__version__", "load", "load_package", "profile", "profiles", "wide"]
