"""Looking at trees: in the terminal (``hch show``), as one self-contained HTML page of
one tree or two side by side (``hch view``), and a study's index of its trees."""

from hch.viewer.facts import TreeFacts, outline
from hch.viewer.index import write_study_index
from hch.viewer.page import tree_page, write_tree_page
from hch.viewer.terminal import render

__all__ = [
    "TreeFacts",
    "outline",
    "render",
    "tree_page",
    "write_study_index",
    "write_tree_page",
]
