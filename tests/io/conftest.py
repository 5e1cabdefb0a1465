"""Names the storage and team tests import (the fixtures live in ``tests/conftest.py``)."""

from tests.conftest import Location
from tests.s3_server import ISOLATED_ENV, ROOT, TEST_CREDENTIALS, S3Server

__all__ = ["ISOLATED_ENV", "ROOT", "TEST_CREDENTIALS", "Location", "S3Server"]
