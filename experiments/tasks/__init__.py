"""Tasks with checkable ground truth, generated or packaged.

Registered by name through the ``hch.tasks`` entry points in ``pyproject.toml``.
"""
