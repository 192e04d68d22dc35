"""The parts of the sample data generator (entry point: scripts/make_sample.py)."""
