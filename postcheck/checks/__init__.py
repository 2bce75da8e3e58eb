"""Check kinds: the code behind rules. Each rule file names one of these in ``check:``.

Modules are imported only when a rule that uses them runs, so ``postcheck --help`` stays fast.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Iterable, Protocol

if TYPE_CHECKING:
    from postcheck.config import Config
    from postcheck.engine import Context, Rule
    from postcheck.model import Checked, Hit
    from postcheck.posts import Post

# kind -> "module:Class". One explicit table; no entry-point magic.
CHECK_KINDS: dict[str, str] = {
    "allow_comments": "postcheck.checks.allow_comments:AllowComments",
    "input_errors": "postcheck.checks.input_errors:InputErrors",
    "person_names": "postcheck.checks.names:PersonNames",
    "unsafe_links": "postcheck.checks.links:UnsafeLinks",
    "contact_details": "postcheck.checks.personal_info:ContactDetails",
    "personal_circumstances": "postcheck.checks.circumstances:PersonalCircumstances",
    "private_contact": "postcheck.checks.contact:PrivateContact",
    "dates_of_birth": "postcheck.checks.birthdays:DatesOfBirth",
    "consent_names": "postcheck.checks.names:ConsentNames",
    "topics": "postcheck.checks.topics:Topics",
    "disclaimer": "postcheck.checks.disclaimer:Disclaimer",
    "image_input": "postcheck.checks.image_input:ImageInput",
    "face_match": "postcheck.checks.faces:FaceMatch",
    "learner_photo": "postcheck.checks.learner_photo:LearnerPhoto",
    "image_metadata": "postcheck.checks.image_metadata:ImageMetadata",
    "learned": "postcheck.checks.learned:Learned",
}


class Check(Protocol):
    """A check kind: built once per rule, then run over every post."""

    #: whether run() reads ctx.doc(post); the engine then batches spaCy over posts with nlp.pipe
    needs_doc: bool

    def __init__(self, rule: Rule, config: Config) -> None: ...

    def run(self, post: Post, ctx: Context) -> Iterable[Hit | Checked]:
        """Hits become findings; a ``Checked`` record says what was looked at and found clear."""
        ...


class RuleCheck:
    """The common start of a check: its rule, the configuration and the rule's options."""

    needs_doc = False

    def __init__(self, rule: Rule, config: Config) -> None:
        self.rule = rule
        self.config = config
        self.options = rule.options


def check_class(kind: str) -> Any:
    module_name, _, class_name = CHECK_KINDS[kind].partition(":")
    return getattr(importlib.import_module(module_name), class_name)
