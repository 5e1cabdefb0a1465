"""Run a test step in a forked child under an address-space and CPU limit.

A reader that regresses into a memory or CPU bomb then fails its test with a MemoryError (or
a timeout) in the child instead of exhausting the machine. The child inherits everything the
test process imported, so each run costs a fork, not a Python start-up.
"""

import os
import pickle
import resource
import traceback

#: Address space the child may add to what the test process already maps.
EXTRA_BYTES = 768 * 2**20
#: CPU seconds the child may use.
CPU_SECONDS = 60


def run_bounded(function, *args, extra_bytes=EXTRA_BYTES, cpu_seconds=CPU_SECONDS, **kwargs):
    """Return ``function(*args, **kwargs)`` computed in a child with ``extra_bytes`` more memory.

    The result must pickle. An exception in the child is re-raised here as a
    ``ChildError`` carrying its type name, message and traceback text.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        status = 0
        try:
            os.close(read_end)
            limit = _mapped_bytes() + extra_bytes
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
            try:
                outcome = ("ok", function(*args, **kwargs))
            except BaseException as error:  # reported to the parent, whatever it is
                outcome = ("error", type(error).__name__, str(error), traceback.format_exc())
            with os.fdopen(write_end, "wb") as pipe:
                pickle.dump(outcome, pipe)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, wait_status = os.waitpid(pid, 0)
    if not data:
        signal_number = os.WTERMSIG(wait_status) if os.WIFSIGNALED(wait_status) else None
        raise ChildError("killed", f"the child died (signal {signal_number})", "")
    outcome = pickle.loads(data)
    if outcome[0] == "ok":
        return outcome[1]
    raise ChildError(*outcome[1:])


class ChildError(Exception):
    """An exception raised in the bounded child: ``kind`` is its type name."""

    def __init__(self, kind, message, trace):
        super().__init__(f"{kind}: {message}\n{trace}")
        self.kind = kind
        self.message = message


def _mapped_bytes():
    with open("/proc/self/statm") as file:
        pages = int(file.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")
