"""The mixed-integer model, HiGHS, warm starts, whole-yuan rounding and the run pipeline."""
