"""The prefilter of key suggestions (validation/review.py) keeps exactly difflib's answers."""

import difflib

from hypothesis import given, settings
from hypothesis import strategies as st

from country_profiles.validation.review import CLOSE_ENOUGH, CharacterCounts

TEXT = st.text(alphabet="abcdeéx -0129", min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(names=st.lists(TEXT, min_size=1, max_size=40, unique=True), query=TEXT)
def test_prefiltered_names_give_the_same_suggestions_as_difflib_on_all_names(names, query):
    candidates = CharacterCounts(names).could_match(query, CLOSE_ENOUGH)
    assert set(candidates) <= set(names)
    expected = difflib.get_close_matches(query, names, n=9, cutoff=CLOSE_ENOUGH)
    assert difflib.get_close_matches(query, candidates, n=9, cutoff=CLOSE_ENOUGH) == expected


def test_names_that_share_too_few_characters_are_left_out():
    counts = CharacterCounts(["ots", "organization of turkic states", "nato", "xyz"])
    assert counts.could_match("otz", CLOSE_ENOUGH) == []  # 2 of 3 characters in common: 2*2/6 < 0.75
    assert counts.could_match("natos", CLOSE_ENOUGH) == ["ots", "nato"]  # 2*3/8 and 2*4/9 >= 0.75
    assert counts.could_match("ots", CLOSE_ENOUGH) == ["ots"]
    assert counts.could_match("qqq", CLOSE_ENOUGH) == []
