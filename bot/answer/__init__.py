"""Answering: retrieved paragraphs in, an answer with verified citations out."""
