# The fixtures live in a uniquely named module so that tests can import its helpers too.
from upstream_doubles import canned, http  # noqa: F401
