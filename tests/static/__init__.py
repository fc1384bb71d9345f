"""Static graphs: tracing, passes, compilation."""
