"""The 2024 form's outputs for all 23 units, the blank form and the summary stay what they were (issue 19)."""

from tests.migration_net import compare


def test_2024_outputs_unchanged_for_every_unit() -> None:
    moved = compare()
    assert not moved, (
        "outputs moved (python -m tests.migration_net --record only for an intended change):\n" + "\n".join(moved)
    )
