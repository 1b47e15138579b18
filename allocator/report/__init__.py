"""What a plan says to people and programs: tables, output files, explanations."""
