"""Policies of the model spec, one module each (see ``base.py`` and ``registry.py``)."""
