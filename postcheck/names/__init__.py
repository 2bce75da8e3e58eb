"""Finding people's names in post text: folding, the shipped names list, the roster, context."""
