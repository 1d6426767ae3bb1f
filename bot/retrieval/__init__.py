"""Hybrid retrieval: dense (Chroma) and lexical (BM25) fused, with query understanding."""
