"""Faces of learners on the consent list (policy 7.2): every face identified among every known learner.

Each face is compared with the reference photos of every restricted learner and, when configured,
with the photo roster (one photo per pupil); see postcheck.images.matching for the decision. A face
is reported once, with its best candidate and how many other restricted learners were close.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

import numpy as np

from postcheck.checks import RuleCheck
from postcheck.model import Checked, Hit, Severity


class FaceMatch(RuleCheck):
    """Error when a restricted learner is the nearest known face within the match distance, by a margin;
    warning (possible match) up to the possible distance unless someone else is clearly nearer."""

    def run(self, post, ctx) -> Iterable[Hit | Checked]:
        if not post.images:
            return
        if self.config.consent_list is None:
            ctx.notice("consent list not configured: photos are not checked against parents' objections (policy 7.2)")
            return
        from postcheck.images.matching import decide
        from postcheck.images.store import image_store

        store = image_store(ctx, self.config)
        references = store.references()
        if not references.learners:
            return
        for problem in references.problems:
            ctx.notice(problem)
        gallery, people = store.gallery()
        policy = store.settings.policy()
        unchecked = references.unchecked
        for ref in post.images:
            scan = store.scan(ref.path)
            if scan.error or not scan.faces:
                continue  # unreadable images are reported by image-unreadable
            if scan.video is not None:  # a clip: each learner once, with the times they are on screen
                from postcheck.checks.video_faces import video_hits

                yield from video_hits(self, ref, scan, gallery, people, policy, unchecked)
                continue
            decisions = decide(gallery, np.array([face.encoding for face in scan.faces]), policy)
            matched = False
            for face, decision in zip(scan.faces, decisions):
                if decision.band == "none":
                    continue
                matched = True
                yield self._hit(ref.display, face, decision, people[decision.person],
                                int(decision.reference - np.flatnonzero(gallery.owner == decision.person)[0]))
            count = len(scan.faces)
            faces = [{"box": face.box, "band": "other"} for face in scan.faces]
            if unchecked:
                ids = ", ".join(f"{r.id} ({r.initials})" for r in unchecked)
                template = self.options.get("unchecked_message", "{faces} face(s) found but {learners} cannot be checked")
                yield Hit(match="unchecked learners", image=ref.display, severity=Severity.WARNING,
                          message=template.format(faces=count, s="" if count == 1 else "s", learners=ids),
                          details={"face_count": count, "faces": faces, "unchecked": [r.id for r in unchecked]})
            elif not matched:
                # Say what was looked at, so "no finding" is never mistaken for "not checked": a
                # record, not a finding (never counted, baselined or annotated).
                template = self.options.get("checked_message", "{faces} face{s} checked against the consent list: no match")
                yield Checked(rule=self.rule.id, path=ref.display,
                              message=template.format(faces=count, s="" if count == 1 else "s"),
                              details={"face_count": count, "faces": faces})

    def _hit(self, image: str, face, decision, learner, which: int) -> Hit:
        sure = decision.band == "match"
        notes = []
        if decision.close:
            notes.append(f"{decision.close} other learner{'s' if decision.close != 1 else ''} on the list also close")
        if len(learner.encodings) == 1:
            notes.append("only one reference photo of this learner")
        values = {"learner": learner.id, "initials": learner.initials, "face": face.describe(),
                  "distance": f"{decision.distance:.2f}", "notes": "".join(f"; {n}" for n in notes)}
        template = self.rule.message if sure else self.options.get("possible_message", self.rule.message)
        margin = None if not np.isfinite(decision.margin) else round(decision.margin, 3)
        return Hit(
            match=f"{learner.id} {face.describe()}",
            image=image,
            severity=None if sure else Severity.WARNING,
            message=template.format(**values),
            confidence=max(0.0, 1.0 - decision.distance),
            details={"learner": learner.id, "initials": learner.initials, "box": face.box, "frame": face.frame,
                     "distance": round(decision.distance, 3), "band": "match" if sure else "possible",
                     "margin": margin, "others_close": decision.close, "age_band": learner.band or "unknown",
                     "references": len(learner.encodings),
                     "reference": _shown(learner.photos[which]), "reference_box": list(learner.boxes[which])},
        )


def _shown(path: Path) -> str:
    """A reference photo's path as the reviewer can open it: relative to the current folder when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
