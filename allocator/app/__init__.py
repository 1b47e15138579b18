"""One-call entry points: run, batch runs, what-if comparison, case generation."""
