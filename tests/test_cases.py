"""Every block of every tests/cases/*.txt file, against the fictional test school."""
from __future__ import annotations

import pytest

from casefiles import check_case, load_cases


@pytest.mark.parametrize("category, expect, account, text", load_cases())
def test_case(category, expect, account, text, check_text):
    check_case(check_text, category, expect, account, text)
