"""Benchmarks (not tests): they measure and report, they never assert timings."""
