"""Evaluation rounds: the indicator tree, self- and on-site evaluation, scores, colours, measures."""
