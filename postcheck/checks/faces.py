"""Faces of learners on the consent list (policy 7.2): every face in every photo against their reference photos."""
from __future__ import annotations

from typing import Iterable

import numpy as np

from postcheck.checks import RuleCheck
from postcheck.model import Checked, Hit, Severity


class FaceMatch(RuleCheck):
    """Error when a face is within ``tolerance`` of a restricted learner; warning up to ``possible``."""

    def run(self, post, ctx) -> Iterable[Hit | Checked]:
        if not post.images:
            return
        if self.config.consent_list is None:
            ctx.notice("consent list not configured: photos are not checked against parents' objections (policy 7.2)")
            return
        from postcheck.images.store import image_store

        store = image_store(ctx, self.config)
        references = store.references()
        if not references.learners:
            return
        for problem in references.problems:
            ctx.notice(problem)
        settings = store.settings
        unchecked = references.unchecked
        checkable = [r for r in references.learners if r.checkable]
        for ref in post.images:
            scan = store.scan(ref.path)
            if scan.error or not scan.faces:
                continue  # unreadable images are reported by image-unreadable
            if scan.video is not None:  # a clip: each learner once, with the times they are on screen
                from postcheck.checks.video_faces import video_hits

                yield from video_hits(self, ref, scan, checkable, unchecked, settings)
                continue
            matched = False
            for face in scan.faces:
                for learner in checkable:
                    distance = float(np.linalg.norm(learner.encodings - face.encoding, axis=1).min())
                    if distance > settings.possible:
                        continue
                    sure = distance <= settings.tolerance
                    matched = True
                    values = {"learner": learner.id, "initials": learner.initials, "face": face.describe(),
                              "distance": f"{distance:.2f}"}
                    template = self.rule.message if sure else self.options.get("possible_message", self.rule.message)
                    yield Hit(
                        match=f"{learner.id} {face.describe()}",
                        image=ref.display,
                        severity=None if sure else Severity.WARNING,
                        message=template.format(**values),
                        confidence=max(0.0, 1.0 - distance),
                        details={"learner": learner.id, "initials": learner.initials, "box": face.box,
                                 "frame": face.frame, "distance": round(distance, 3),
                                 "band": "match" if sure else "possible"},
                    )
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
