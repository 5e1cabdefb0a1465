"""An annotator's process is SIGKILLed in the middle of a save: nothing is lost, work resumes."""

import signal
import time

import numpy as np

from seg_widget.io.team import Claims, ClaimTakenError, Versions
from tests.io.team.helpers import Worker
from tests.io.team.worker import CLASSES


def test_resume_after_sigkill_between_upload_and_pointer(location):
    worker = Worker(location, "save-and-hang", "alice", "cat", seconds=2)
    try:
        assert worker.next() == {"ready": True}
        committed = worker.next()["saved"]
        assert worker.next() == {"hanging": True}
        worker.process.send_signal(signal.SIGKILL)
        worker.process.wait(30)
    finally:
        worker.stop()

    # Alice starts a new kernel: the dead kernel's lease is still there, never released.
    claims = Claims(location.open(), "alice", seconds=60, tolerance=1)
    status = claims.status("cat")
    assert (status.lease.owner, status.lease.held, status.mine) == ("alice", True, False)
    deadline = time.monotonic() + 20
    while True:
        try:
            claims.claim("cat")
            break
        except ClaimTakenError as error:
            assert "taken by you (alice) in another session" in str(error)
            assert time.monotonic() < deadline
            time.sleep(0.2)

    versions = Versions(location.open(), "alice", CLASSES)
    loaded = versions.load("cat")
    assert loaded.version == committed
    np.testing.assert_array_equal(loaded.mask, np.full((4, 5), 1))
    # The save cut short by the kill is kept as a version nobody points to: recoverable.
    history = versions.history("cat")
    assert [v.annotator for v in history] == ["alice", "alice"]
    orphan = history[-1]
    assert orphan.key != committed
    np.testing.assert_array_equal(versions.load("cat", version=orphan.key).mask, 2)
    adopted = versions.adopt("cat", orphan.key, base=loaded.current)
    assert not adopted.conflict
    np.testing.assert_array_equal(versions.load("cat").mask, np.full((4, 5), 2))
