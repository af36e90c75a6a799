"""Developer tools shared by the test suite and the benchmarks."""
