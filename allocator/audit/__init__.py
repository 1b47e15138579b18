"""Independent checks: policy pre-checks, the integer plan check, verify."""
