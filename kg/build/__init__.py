"""`kg build`: incremental builds with a record cache (pipeline), extraction on several
cores (parallel) or on a Dask cluster (cluster)."""
