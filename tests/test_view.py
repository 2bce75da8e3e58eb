"""The reader's view (postcheck/text/view.py): evasions undone, ordinary text kept, offsets mapped back."""
from __future__ import annotations

import pytest

from postcheck.text.view import reader_view

# (source, what a reader sees); invisible characters are written as escapes so they can be reviewed
EVASIONS = [
    ("Ame\u200blia Hart", "Amelia Hart"),  # zero-width space
    ("Ame\u00adlia Hart", "Amelia Hart"),  # soft hyphen
    ("Ame\u2060lia Ha\ufeffrt", "Amelia Hart"),  # word joiner, BOM
    ("\u0410m\u0435lia \u041dart", "Amelia Hart"),  # Cyrillic А, е, Н
    ("\u0391melia Ηart", "Amelia Hart"),  # Greek Alpha, Eta
    ("Zoe\u0308 Bronte\u0308", "Zo\u00eb Bront\u00eb"),  # decomposed accents composed
    ("\U0001d400\U0001d426\U0001d41e\U0001d425\U0001d422\U0001d41a Hart", "Amelia Hart"),  # mathematical bold
    ("\uff21melia \uff28art", "Amelia Hart"),  # fullwidth
    ("\u24b6melia Hart", "Amelia Hart"),  # circled letter
    ("Amelia&nbsp;H&#97;rt", "Amelia Hart"),  # entities
    ("Am&#x65;lia Hart", "Amelia Hart"),
    ("Ame&shy;lia Hart", "Amelia Hart"),
    ("**Ame**lia Hart", "Amelia Hart"),  # emphasis split inside a word
    ("Ame*lia* Hart", "Amelia Hart"),
    ("A***me***lia Hart", "Amelia Hart"),
    ("Ame<span>lia</span> Hart", "Amelia Hart"),  # inline HTML
    ("<b>Ame</b><i>lia</i> <em>Hart</em>", "Amelia Hart"),
    ("Ame\u202dlia Hart", "Amelia Hart"),  # bidi override inside the word
    ("Ame\u2066lia\u2069 Hart", "Amelia Hart"),  # bidi isolate
    ("Well done \u202etraH ailemA\u202c!", "Well done Amelia Hart!"),  # right-to-left override: shown reversed
]


@pytest.mark.parametrize("source, shown", EVASIONS)
def test_reader_sees_the_name(source, shown):
    view = reader_view(source)
    assert view.text == shown
    start = view.text.index(shown.split()[0] if "Well" not in shown else "Amelia")
    lo, hi = view.source_span(start, len(view.text.rstrip("!")))
    # the span maps back to the stretch of source that shows the name, nothing before it
    assert source[lo:hi].strip("!\u202c") and lo >= 0 and hi <= len(source)


@pytest.mark.parametrize("source", [
    "Zoë Brontë and Siobhán Ní Bhriain",  # precomposed accents
    "Well done team 👏🏽 👨\u200d👩\u200d👧 🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # emoji
    "Москва, Ελλάδα, 東京, مرحبا, नमस्ते",  # other scripts
    "sh*t and f*ck stay as written",  # one star is not emphasis
    "**Well done** to the relay team",  # emphasis around whole words changes nothing a check reads
    "2*3*4 = 24",
    "Visit https://www.bbс.co.uk/bitesize",  # a look-alike letter in an address is the link check's
    "<a href=\"https://example.org\">link</a> <!-- postcheck: allow unsafe-link reason=\"x\" -->",
    "<Amelia Hart> and 5 < 6 > 3 and fish &chips; AT&T",  # not tags, not entities
    "²½™ … – —",
])
def test_ordinary_text_is_left_alone(source):
    view = reader_view(source)
    assert view.text == source.replace("</a>", "")


def test_offsets_map_back_to_source():
    source = "Hi **Ame**lia&nbsp;Hart, from Zoe\u0308."
    view = reader_view(source)
    assert view.text == "Hi Amelia Hart, from Zoë."
    start = view.text.index("Amelia")
    lo, hi = view.source_span(start, start + len("Amelia Hart"))
    assert source[lo:hi] == "Ame**lia&nbsp;Hart"
    z = view.text.index("Zoë")
    assert view.source_span(z, z + 3) == (source.index("Zoe"), source.index("Zoe") + 4)
    assert view.source_span(len(view.text), len(view.text)) == (len(source), len(source))


def test_plain_text_is_an_identity_view():
    view = reader_view("Well done to the Year 6 relay team!")
    assert view.identity and view.source_span(3, 7) == (3, 7)


@pytest.mark.parametrize("source, shown", [
    ("<!-- Ame\u200blia --> Ame\u200blia", "<!-- Ame\u200blia --> Amelia"),  # a comment stays as written
    ("Hi <!-- Ame\u200blia Hart", "Hi <!-- Amelia Hart"),  # an unterminated one is shown as text
    ("Zoë https://www.bbс.co.uk/x Ame\u200blia", "Zoë https://www.bbс.co.uk/x Amelia"),  # the address is kept
    ("é <a href='https://x.org/a'>Ame<b>lia</b></a>", "é <a href='https://x.org/a'>Amelia"),
])
def test_verbatim_stretches_end_where_they_end(source, shown):
    assert reader_view(source).text == shown


@pytest.mark.parametrize("source", [
    "\u202e" * 20000 + "x",  # nested overrides: no recursion
    "<!-- " * 20000,  # unterminated comments: no rescans
    "<span " * 20000,
    "*a " * 20000,
])
def test_hostile_input_is_handled_in_one_pass(source):
    view = reader_view(source)
    assert view.source_span(0, len(view.text))[1] <= len(source)
