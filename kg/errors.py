"""Errors that users see: each says what went wrong, where, and what to do next."""

from __future__ import annotations


class KgError(Exception):
    """Base of every error parks-kg reports to a user as one line, without a traceback."""


class InputError(KgError):
    """A corpus file that cannot be read or decoded."""


class RuleError(KgError):
    """A pattern data file under kg/patterns/ that is malformed."""


class QueryError(KgError):
    """A stored or given SPARQL query that cannot be parsed, bound or run."""


class StoreError(KgError):
    """A graph store that is missing, locked or damaged."""


class LinkError(KgError):
    """A Wikidata table that is malformed, or a Wikidata request that failed."""
