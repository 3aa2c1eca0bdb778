"""Looking at trees: in the terminal (``hch show``), as one self-contained HTML page of
one tree or two side by side (``hch view``), and a study's index of its trees."""

from hch.viewer.facts import TreeFacts, outline
from hch.viewer.terminal import parse_path, render

__all__ = ["TreeFacts", "outline", "parse_path", "render"]
