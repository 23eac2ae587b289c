"""Evaluation harness: question files, metrics, side-by-side configurations and reports (`assistant eval`)."""
