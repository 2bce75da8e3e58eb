"""Photos with faces where consent cannot be shown: personal accounts (4.10), or no consent list."""
from __future__ import annotations

from typing import Iterable

from postcheck.checks import RuleCheck
from postcheck.model import Hit, Severity


class LearnerPhoto(RuleCheck):
    """A personal-account post with faces fails; a school post with faces and no consent list needs review."""

    def run(self, post, ctx) -> Iterable[Hit]:
        if not post.images:
            return
        personal = post.account == "personal"
        if not personal and self.config.consent_list is not None:
            return  # the objected-image rule matches faces against the consent list
        from postcheck.images.store import image_store

        store = image_store(ctx, self.config)
        for ref in post.images:
            scan = store.scan(ref.path)
            if scan.error or not scan.faces:
                continue  # unreadable images are input errors (image-unreadable)
            count = len(scan.faces)
            faces = [{"box": face.box, "band": "other"} for face in scan.faces]
            if scan.video is not None:  # a clip: the most faces in one sampled frame
                from postcheck.checks.video_faces import face_list

                count = max(sum(1 for f in scan.faces if f.frame == n) for n in {f.frame for f in scan.faces})
                faces = face_list(scan)
            values = {"faces": count, "s": "" if count == 1 else "s"}
            details = {"face_count": count, "faces": faces}
            if personal:
                yield Hit(match=f"{count} faces", image=ref.display, details=details,
                          message=self.options.get("personal_message", self.rule.message).format(**values))
            else:
                yield Hit(match=f"{count} faces", image=ref.display, severity=Severity.WARNING, details=details,
                          message=self.options.get("no_consent_list_message", self.rule.message).format(**values))
