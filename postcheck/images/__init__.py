"""Image handling shared by the image checks: safe loading, faces, reference photos, metadata."""
