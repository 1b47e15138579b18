"""Declarative eligibility rules: language, rule sets, vectorized evaluation."""
