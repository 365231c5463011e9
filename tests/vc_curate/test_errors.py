"""The one-line error every front end shows."""

from __future__ import annotations

import pytest

from vc_curate.errors import first_line


@pytest.mark.parametrize("exc, line", [
    (ValueError("bad thing\nmore detail"), "bad thing"),
    (ValueError(""), "ValueError"),  # an empty message must not raise IndexError
    (OSError("\n\n  second line  \n"), "second line"),
    (KeyError(), "KeyError"),
])
def test_first_line(exc, line):
    assert first_line(exc) == line
