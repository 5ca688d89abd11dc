"""Benchmark scenarios; run each as `python -m bench.<name>`."""
