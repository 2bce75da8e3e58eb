"""Every block of every tests/cases/*.txt file, against the fictional test school."""
from __future__ import annotations

import pytest

from casefiles import check_case, load_cases


@pytest.mark.parametrize("category, expect, account, roster, text", load_cases())
def test_case(category, expect, account, roster, text, check_text, check_text_without_roster):
    check_case(check_text if roster else check_text_without_roster, category, expect, account, text)
