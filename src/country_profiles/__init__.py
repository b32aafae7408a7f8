"""Country profiles: a Frictionless data package of country facts, and the tools that check it."""

__version__ = "0.1.0"
