"""Apache Beam jobs over vc_curate: `python -m beam_jobs.curate` scores and filters image corpora at scale."""
