"""Kill a writer with SIGKILL at random moments and check what it leaves on disk.

`kill_trials` forks a child that runs ``work(trial, report)``: the child writes in a loop,
calling ``report("start", k)`` before and ``report("done", k)`` after its k-th save. The
parent waits for ``report("ready")``, sleeps a random time, kills the child with SIGKILL and
calls ``check(trial, done, started)`` with the last finished save (-1: none) and whether the
next one had started: the files must hold save ``done`` or, if it had started, save
``done + 1``, never a mix.

Trials per write path: ``SEG_WIDGET_CRASH_TRIALS`` (default 20 for CI; the nightly-size run
sets it to 200 or more).
"""

import os
import random
import signal
import time

#: Trials per write path.
TRIALS = int(os.environ.get("SEG_WIDGET_CRASH_TRIALS", "20"))


def kill_trials(work, check, *, trials=TRIALS, max_delay=0.05, seed=0):
    """Run ``trials`` kill -9 trials; return how many killed the child inside a save."""
    rng = random.Random(seed)
    inside = 0
    for trial in range(trials):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            try:
                os.close(read_end)

                def report(event, number=0, pipe=write_end):
                    os.write(pipe, f"{event} {number}\n".encode())

                work(trial, report)
            finally:
                os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            first = pipe.readline()
            assert first.startswith(b"ready"), f"trial {trial}: the child did not start: {first!r}"
            time.sleep(rng.uniform(0, max_delay))
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            events = pipe.read().decode().split("\n")
        done, started = -1, False
        for line in filter(None, events):
            event, number = line.split()
            if event == "done":
                done, started = int(number), False
            elif event == "start":
                started = True
        inside += started
        check(trial, done, started)
    print(f"kill_trials: {inside} of {trials} kills landed inside a write")  # shown with -s
    return inside
