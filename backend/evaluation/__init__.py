"""Evaluation rounds: the indicator tree, self- and on-site evaluation, scores and colours."""
