"""Evaluating beyond one process: ``partitions`` (data split by a subject column into Parquet
folders) → ``task`` (one partition through the ordinary pipeline, on a worker) → ``run`` (the
partitions on a Dask cluster, the stages that cross partitions decided after them, the merged
results written as the single process writes them). See docs/distributed.md."""
