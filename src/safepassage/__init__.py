"""Safe Passage: safe-surrender programme software."""
