"""A static site of country profiles: `country-profiles site OUT` or `build_site(out)`.

Pages: index.html (every country, sortable and filterable), countries/ISO3.html (charts,
figures, borders, memberships, sources), quality.html (the validator's findings) and
rules.html (the rule catalogue). Charts are SVG drawn at build time; nothing is fetched
from the network when building or viewing.
"""

from country_profiles.site.builder import BuildResult, build_site

__all__ = ["BuildResult", "build_site"]
