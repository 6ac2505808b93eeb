# The fixtures live in a uniquely named module so that tests can import its helpers too.
from outbox_support import webank  # noqa: F401
