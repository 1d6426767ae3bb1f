"""Evaluation harness: gold questions in, retrieval and citation metrics out, side by side with baselines."""
