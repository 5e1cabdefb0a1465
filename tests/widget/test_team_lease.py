"""Keeping a claim alive: renewed on edits and, with an event loop, on a timer while editing."""

import asyncio

from seg_widget.io.storage import open_store
from seg_widget.io.team import Claims
from seg_widget.widget.team_lease import LeaseKeeper


def _keeper(tmp_path, renewed):
    claims = Claims(open_store(str(tmp_path / "team")), "alice", seconds=1, tolerance=0.5)
    claims.claim("img")
    lost, errors = [], []
    keeper = LeaseKeeper(
        claims, on_lost=lost.append, on_error=errors.append, on_renewed=renewed.append
    )
    return claims, keeper, lost, errors


def test_the_timer_renews_while_the_user_edits_and_lets_go_when_idle(tmp_path):
    renewed = []
    _, keeper, lost, errors = _keeper(tmp_path, renewed)

    async def work_then_walk_away():
        keeper.start("img")
        for _ in range(6):  # 1.5 s of editing: the lease (1 s) would have expired
            keeper.edited()
            await asyncio.sleep(0.25)
        while_editing = len(renewed)
        await asyncio.sleep(3.0)  # idle: renewals for at most one more lease, then none
        keeper.stop()
        return while_editing

    while_editing = asyncio.run(work_then_walk_away())
    assert while_editing >= 3 and len(renewed) <= while_editing + 3
    assert lost == [] and errors == []
    bob = Claims(open_store(str(tmp_path / "team")), "bob", seconds=1, tolerance=0.5)
    assert bob.claim("img").owner == "bob"  # idle long enough: the claim expired


def test_a_taken_over_claim_is_reported_once(tmp_path):
    renewed = []
    _, keeper, lost, _ = _keeper(tmp_path, renewed)
    keeper.start("img")
    bob = Claims(open_store(str(tmp_path / "team")), "bob", seconds=1, tolerance=0.5)
    bob.claim("img", steal=True)
    assert keeper.renew() is False and keeper.lost
    keeper.edited()
    assert len(lost) == 1 and "the claim was lost" in lost[0] and "taken by bob" in lost[0]
