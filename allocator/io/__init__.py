"""Reading inputs: files, strict YAML, CSV tables, the case folder."""
